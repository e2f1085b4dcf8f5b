"""Cell-line and drug catalogues: coverage, spellings, sources, errors."""

from __future__ import annotations

import pytest

import mtorsim
from mtorsim import UnknownNameError, get_cell, get_drug
from mtorsim._errors import InputError
from mtorsim.biology import Dose, cells_table, define_cell, drug_names, drugs_table
from mtorsim.biology._genotype import alteration_effects

REQUIRED_LINES = ["MCF7", "T47D", "ZR-75-1", "CAMA-1", "BT-474", "SK-BR-3", "MDA-MB-361", "MDA-MB-453", "HCC1954",
                  "MDA-MB-231", "MDA-MB-468", "BT-549", "HCC1937", "Hs 578T", "CAL-51", "MCF7-LTED", "MCF7-aro"]
REQUIRED_DRUGS = ["sirolimus", "everolimus", "temsirolimus", "ridaforolimus", "AZD8055", "sapanisertib", "torin1", "torin2",
                  "vistusertib", "dactolisib", "alpelisib", "buparlisib", "pictilisib", "taselisib", "LY294002",
                  "capivasertib", "ipatasertib", "MK-2206", "tamoxifen", "4-hydroxytamoxifen", "fulvestrant", "letrozole",
                  "anastrozole", "exemestane", "trastuzumab", "lapatinib", "metformin", "paclitaxel"]


def test_catalogue_has_the_required_lines_with_receptor_status():
    table = cells_table()
    for name in REQUIRED_LINES:
        assert name in table.index
    assert len(table) >= 17
    assert table.loc["MCF7", "ER"] == "positive" and table.loc["MDA-MB-231", "ER"] == "negative"
    assert "ERBB2:amp" in get_cell("BT-474").alterations
    assert any(a.startswith("PTEN:") for a in get_cell("MDA-MB-468").alterations)
    assert "LTED" in get_cell("MCF7-LTED").traits and get_cell("MCF7-LTED").parent == "MCF7"


@pytest.mark.parametrize("spelling,name", [("MCF7", "MCF7"), ("MCF-7", "MCF7"), ("mcf7", "MCF7"), ("MDA-MB-231", "MDA-MB-231"),
                                           ("MDAMB231", "MDA-MB-231"), ("mda-mb-231", "MDA-MB-231"), ("bt474", "BT-474"),
                                           ("Hs578T", "Hs 578T")])
def test_cell_names_accept_the_usual_spellings(spelling, name):
    assert get_cell(spelling).name == name


@pytest.mark.parametrize("spelling,name", [("RAD001", "everolimus"), ("rapamycin", "sirolimus"), ("CCI-779", "temsirolimus"),
                                           ("BEZ235", "dactolisib"), ("INK128", "sapanisertib"), ("MLN0128", "sapanisertib"),
                                           ("AZD5363", "capivasertib"), ("GDC-0068", "ipatasertib"), ("GDC-0941", "pictilisib"),
                                           ("BYL719", "alpelisib"), ("BKM120", "buparlisib"), ("Everolimus", "everolimus")])
def test_drug_names_match_codes_and_synonyms(spelling, name):
    assert get_drug(spelling).name == name


def test_every_required_drug_has_targets_with_potency_and_source():
    for name in REQUIRED_DRUGS:
        d = get_drug(name)
        assert d.targets and not d.missing_potency, name
        for t in d.targets:
            assert t.ic50_nM > 0 and t.source, (name, t.slot)


def test_unknown_names_list_close_matches():
    with pytest.raises(UnknownNameError, match="MCF7"):
        get_cell("MCF8")
    with pytest.raises(UnknownNameError, match="everolimus"):
        get_drug("everolimu")


@pytest.mark.parametrize("dose,nM", [("10nM", 10.0), ("1 uM", 1000.0), ("1µM", 1000.0), ("500pM", 0.5), ("0.01 mM", 1e4)])
def test_doses_take_units(dose, nM):
    assert Dose.make("everolimus", dose).concentration_nM == pytest.approx(nM)


def test_mass_doses_use_the_molar_mass():
    d = get_drug("everolimus")
    assert Dose.make("everolimus", "958.22 ng/mL").concentration_nM == pytest.approx(958.22 / d.molar_mass_g_per_mol * 1000)


@pytest.mark.parametrize("bad", ["-1nM", "ten nM", "5 furlongs", "", "nM"])
def test_bad_doses_are_rejected_with_the_option_named(bad):
    with pytest.raises(InputError, match="dose of everolimus"):
        Dose.make("everolimus", bad)


def test_user_defined_genotypes():
    c = define_cell("my line", alterations=["PIK3CA:H1047R", "PTEN:loss"], receptors={"ER": "positive"})
    assert c.user_defined and "PTEN:loss" in c.alterations
    v = define_cell("MCF7 myr", base="MCF7", alterations=["AKT1:myr"])
    assert set(v.alterations) == {"PIK3CA:E545K", "AKT1:myr"}
    with pytest.raises(InputError, match="alteration"):
        define_cell("bad", alterations=["FOO:bar"])
    assert any(e.parameter == "level_PTEN" and e.value == 0 for e in alteration_effects("PTEN:loss"))


def test_tables_list_everything():
    assert len(drugs_table()) == len(drug_names()) >= 28
    assert mtorsim.cells_table().index.is_unique


def test_esr1_mutations_map_to_constitutive_er_and_weaker_antagonist_binding():
    y = {e.parameter: e.value for e in alteration_effects("ESR1:Y537S")}
    d = {e.parameter: e.value for e in alteration_effects("ESR1:D538G")}
    assert y["esr1_const"] > d["esr1_const"] > 0
    assert y["esr1_mut_antag_aff"] < 0.2
    with pytest.raises(InputError, match="ESR1:Y537S"):
        alteration_effects("ESR1:K303R")
