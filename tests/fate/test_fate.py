"""The cell-fate layer and the phenotypes the review names (issue 4 §1)."""

from __future__ import annotations

import math

import numpy as np
import pytest

import mtorsim
from mtorsim._errors import InputError
from mtorsim.fate import FateParameters, assay, phenotypes


def test_untreated_well_grows_at_the_doubling_time():
    w = assay("MDA-MB-231", [], hours=72)
    assert w["viability"] == pytest.approx(1.0, abs=1e-6)
    assert w["GR"] == pytest.approx(1.0, abs=1e-6)
    td, _ = mtorsim.fate.doubling_time_h("MDA-MB-231")
    assert w["relative_cell_number"] == pytest.approx(math.exp((math.log(2) / td - FateParameters().r_apo0) * 72), rel=1e-3)


def test_gr_is_negative_only_when_cells_die():
    w = assay("MCF7", ["paclitaxel=100nM"], hours=72)
    assert w["GR"] < 0 and w["relative_cell_number"] < 1
    v = assay("MCF7", ["alpelisib=1uM"], hours=72)
    assert 0 < v["GR"] < 1 and v["relative_cell_number"] > 1


def test_microtubule_effect_matches_the_treatment_slot_inputs():
    """One Hill form for the plate and the trial layer: ``x^h/(1+x^h)``, ``x = Σ C/IC50`` over microtubule targets,
    equal to what :meth:`Treatment.slot_inputs` gives the plate; vectorised; other drugs contribute nothing."""
    from mtorsim.biology import Treatment
    from mtorsim.fate import microtubule_effect
    drugs = ["paclitaxel=5nM", "vinorelbine=3nM", "everolimus=10nM"]
    u = Treatment.make(drugs).slot_inputs(0.0)
    x, h = u["u_microtubule"], u["h_microtubule"]
    expected = x ** h / (1 + x ** h)
    got = microtubule_effect({"paclitaxel": 5.0, "vinorelbine": 3.0, "everolimus": 10.0})
    assert 0.0 < expected < 1.0 and got == pytest.approx(expected, rel=1e-12)
    arr = microtubule_effect({"paclitaxel": np.array([0.0, 5.0, 500.0]), "vinorelbine": np.array([0.0, 3.0, 0.0])})
    assert arr.shape == (3,) and arr[0] == 0.0 and arr[1] == pytest.approx(expected) and arr[2] > arr[1]
    assert microtubule_effect({"everolimus": 10.0}) == 0.0


def test_bad_fate_parameters_are_rejected():
    with pytest.raises(InputError, match="fate.k_apo"):
        FateParameters(k_apo=-1)


@pytest.fixture(scope="module")
def pheno():
    er = {"ER": "positive"}
    lines = [mtorsim.define_cell("ER+ wild type", receptors=er),
             mtorsim.define_cell("ER+ PTEN-null", alterations=["PTEN:loss"], receptors=er),
             mtorsim.define_cell("ER+ PIK3CA H1047R", alterations=["PIK3CA:H1047R"], receptors=er),
             mtorsim.define_cell("ER+ AKT1 E17K", alterations=["AKT1:E17K"], receptors=er),
             mtorsim.define_cell("ER+ HER2-amplified", alterations=["ERBB2:amp"], receptors=er),
             mtorsim.define_cell("ER+ myr-Akt", alterations=["AKT1:myr"], receptors=er),
             mtorsim.define_cell("ER+ LTED", receptors=er, traits=["LTED"])]
    return phenotypes(lines), phenotypes(lines, drugs=["everolimus=10nM"])


@pytest.mark.parametrize("line", ["ER+ PTEN-null", "ER+ PIK3CA H1047R", "ER+ AKT1 E17K", "ER+ HER2-amplified"])
def test_pathway_activation_raises_growth_factor_independence(pheno, line):
    """Issue 4 §1 (the review's phenotypes): PTEN loss, PIK3CA or AKT1 activation and HER2 amplification
    raise proliferation without growth factors relative to full medium."""
    df, _ = pheno
    assert df.loc[line, "growth_factor_independence"] > df.loc["ER+ wild type", "growth_factor_independence"]


@pytest.mark.parametrize("line", ["ER+ myr-Akt", "ER+ AKT1 E17K", "ER+ LTED"])
def test_active_akt_and_lted_raise_endocrine_resistance(pheno, line):
    """Evidence C06/C07 (active Akt: oestrogen independence, tamoxifen resistance) and C17 (LTED)."""
    df, _ = pheno
    for col in ("endocrine_resistance_deprivation", "endocrine_resistance_tamoxifen"):
        assert df.loc[line, col] > 1.2 * df.loc["ER+ wild type", col], col


def test_ligand_independent_er_activation_raises_endocrine_resistance():
    """Issue 4 §1: ligand-independent ER activation (AF-1 active at a lower S167 threshold, the LTED-type
    rewiring; evidence C15, C17) raises proliferation under oestrogen deprivation."""
    er = {"ER": "positive"}
    plain = mtorsim.define_cell("ER+", receptors=er)
    af1 = mtorsim.define_cell("ER+ AF-1 hypersensitive", receptors=er, traits=["LTED"])
    df = phenotypes([plain, af1])
    assert df.loc["ER+ AF-1 hypersensitive", "endocrine_resistance_deprivation"] > 1.5 * df.loc["ER+", "endocrine_resistance_deprivation"]
    from mtorsim.biology import Medium
    pre = Medium("full", estradiol_nM=1.0)
    lo = mtorsim.simulate(plain, medium="charcoal_stripped", hours=120, n_points=2, preequilibration_medium=pre)
    hi = mtorsim.simulate(plain, medium="charcoal_stripped", hours=120, n_points=2, preequilibration_medium=pre,
                          parameters={"K_167": 0.3})
    assert float(hi["ER_activity"][-1]) > 2 * float(lo["ER_activity"][-1])


@pytest.mark.parametrize("line,col", [("ER+ PTEN-null", "growth_factor_independence"),
                                      ("ER+ myr-Akt", "endocrine_resistance_deprivation"),
                                      ("ER+ LTED", "endocrine_resistance_deprivation"),
                                      ("ER+ LTED", "endocrine_resistance_tamoxifen")])
def test_an_mtor_inhibitor_lowers_pathway_driven_independence(pheno, line, col):
    """Issue 4 §1: an mTOR inhibitor lowers growth-factor independence and endocrine resistance where the
    pathway drives them (C05: LTED cells are the most everolimus-sensitive)."""
    df, eve = pheno
    assert eve.loc[line, col] < df.loc[line, col]


def test_phenotype_table_covers_the_catalogue():
    df = phenotypes(["MCF7", "MDA-MB-231"])
    assert list(df.index) == ["MCF7", "MDA-MB-231"]
    assert set(df.columns) == {"proliferation_full", "growth_factor_independence", "endocrine_resistance_deprivation",
                               "endocrine_resistance_tamoxifen", "endocrine_resistance_fulvestrant"}
    assert np.isfinite(df.values).all()


@pytest.mark.parametrize("line,tn", [("MDA-MB-231", True), ("MDA-MB-468", True), ("HCC1806", True), ("MCF7", False),
                                     ("T47D", False), ("SK-BR-3", False), ("BT-474", False), ("HCC1954", False)])
def test_triple_negative_classification_follows_the_catalogue(line, tn):
    """Receptor status from Dai et al. 2017 / LINCS (catalogue): HER2-amplified ER-negative lines are not TN."""
    assert mtorsim.fate.is_triple_negative(line) is tn


def test_cyclin_d1_independent_share_blunts_pathway_drugs_only_in_triple_negative_lines():
    """Finn et al. 2009 (Breast Cancer Res 11:R77): non-luminal/basal lines depend less on cyclin D-CDK4/6,
    so the same signalling change moves their growth less; luminal lines are unaffected by phi_tn."""
    with_phi, without = FateParameters(phi_tn=0.45), FateParameters(phi_tn=0.0)
    tn_with = assay("MDA-MB-468", ["everolimus=100nM"], params=with_phi)["GR"]
    tn_without = assay("MDA-MB-468", ["everolimus=100nM"], params=without)["GR"]
    assert tn_with > tn_without + 0.02
    lum = [assay("MCF7", ["everolimus=100nM"], params=p)["GR"] for p in (with_phi, without)]
    assert lum[0] == pytest.approx(lum[1], abs=1e-12)
