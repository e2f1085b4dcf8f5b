"""The network: provenance of every parameter, valid SBML, faithful exports."""

from __future__ import annotations

import re

import numpy as np
import pytest
import roadrunner

from mtorsim.model import DRUG_SLOTS, build_network, check_sbml, to_antimony, to_sbml
from mtorsim.model._export import OBS_PREFIX, antimony_to_sbml
from mtorsim.model._network import Network

REQUIRED_OBSERVABLES = ["pIRS1_S636", "pAKT_T308", "pAKT_S473", "pPRAS40_T246", "pTSC2_T1462", "mTORC1_activity",
                        "mTORC2_activity", "pS6K1_T389", "pS6_S235_236", "p4EBP1_T37_46", "pERK1_2", "ER_activity",
                        "pER_S167", "FOXO_nuclear", "HER3_total", "IGF1R_total", "translation", "cyclinD1"]


@pytest.fixture(scope="module")
def net():
    return build_network()


def test_every_parameter_has_a_unit_and_a_source(net):
    allowed = re.compile(r"^(assumed|set by|genotype parameter|condition set|evidence|fitted to)|\d{4}|PNAS|Cell|Nature|Science|C\d\d", re.I)
    for p in net.parameters.values():
        assert p.unit, p.name
        assert allowed.search(p.source), f"{p.name}: source {p.source!r} names no evidence, publication or assumption"


def test_the_network_has_the_required_observables_and_drug_inputs(net):
    assert set(REQUIRED_OBSERVABLES) <= set(net.observables)
    for slot in DRUG_SLOTS:
        assert f"u_{slot}" in net.parameters


def test_the_network_contains_the_named_biology(net):
    names = set(net.species) | set(net.rules)
    for piece in ["IGF1R", "IRS1", "IRS1_S636", "EGFR_a", "HER3", "HER3_a", "PI3K_a", "PIP3", "AKT_T308", "AKT_S473",
                  "mTORC2_a", "TSC2_pT1462", "PRAS40_pT246", "Rheb_GTP", "mTORC1_a", "AMPK_a", "S6K1", "S6K1_pT389",
                  "S6_p", "EBP1_p", "eIF4E_free", "Ras_GTP", "Raf_a", "MEK_pp", "ERK_pp", "ER", "ER_pS167", "FOXO_n",
                  "CCND1", "MCL1", "BAD_p"]:
        assert piece in names, piece
    # the feedbacks are wired: S6K1 -| IRS1, FOXO -> RTK/ER, ER -> S6K1/IRS1, ERK -> TSC2, PI3K -> Ras
    rx = {r.name: r.rate for r in net.reactions.values()}
    assert "S6K1_act" in rx["IRS1_S636_on"]
    assert "FOXO_n" in rx["HER3_synthesis"] and "FOXO_n" in rx["ER_synthesis"] and "FOXO_n" in rx["IGF1R_synthesis"]
    assert "ER_tx" in rx["S6K1_synthesis"] and "ER_tx" in rx["IRS1_synthesis"]
    assert "ERK_pp" in net.rules["TSC_gap"].expression
    assert "PI3K_a" in rx["Ras_GTP_on"]


def test_sbml_is_valid_level3(net):
    sbml = to_sbml(net)
    check = check_sbml(sbml)
    assert check.ok, check.errors
    assert 'level="3"' in sbml


def test_unknown_symbols_are_rejected():
    n = Network("x")
    n.spec("A", 1, "1", "a")
    n.rxn("r", ("A",), (), "k * A", "decay")
    with pytest.raises(ValueError, match="unknown symbols"):
        n.freeze()


def test_sbml_loaded_back_simulates_the_same_numbers(net):
    """Round trip: the exported SBML, run in a bare libRoadRunner, matches mtorsim's engine."""
    import mtorsim
    from mtorsim.simulate import get_engine
    from mtorsim.simulate._simulate import cell_parameters

    ds = mtorsim.simulate("MCF7", drugs=["everolimus=10nM"], times=[0, 1, 6, 24], normalize="none")
    eng = get_engine()
    params = cell_parameters(mtorsim.get_cell("MCF7"), mtorsim.Medium("full"), None, eng)
    state = eng.steady_state(params)

    rr = roadrunner.RoadRunner(to_sbml(net))                     # independent instance from the exported file
    rr.integrator.relative_tolerance = 1e-10
    rr.integrator.absolute_tolerance = 1e-12
    for k, v in params.items():
        rr.setValue(k, v)
    for sid, x in zip(rr.model.getFloatingSpeciesIds(), state):
        rr.setValue(f"[{sid}]", x)
    drug = mtorsim.get_drug("everolimus")
    rr.setValue("u_rapalog", 10.0 / drug.targets[0].ic50_nM)
    rr.setValue("h_rapalog", drug.targets[0].hill)
    res = rr.simulate(times=[0, 1, 6, 24], selections=["time", OBS_PREFIX + "pAKT_S473", OBS_PREFIX + "pS6K1_T389"])
    np.testing.assert_allclose(res[:, 1], ds["pAKT_S473"].values, rtol=1e-5)
    np.testing.assert_allclose(res[:, 2], ds["pS6K1_T389"].values, rtol=1e-5)


def test_antimony_export_round_trips(net):
    text = to_antimony(net)
    assert "source:" in text and "model mtorsim_breast" in text
    sbml = antimony_to_sbml(text)
    rr1, rr2 = roadrunner.RoadRunner(sbml), roadrunner.RoadRunner(to_sbml(net))
    a, b = rr1.simulate(0, 50, 11), rr2.simulate(0, 50, 11)
    np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=1e-8, atol=1e-12)


def test_no_species_goes_negative_under_any_single_drug(net):
    import mtorsim
    for drug in ["everolimus=100nM", "torin1=1uM", "alpelisib=1uM", "capivasertib=3uM", "fulvestrant=100nM", "PD0325901=100nM"]:
        ds = mtorsim.simulate("MCF7", drugs=[drug], hours=72, n_points=25, normalize="none")
        for v in ds.data_vars.values():
            assert float(v.min()) >= -1e-9, (drug, v.name)
