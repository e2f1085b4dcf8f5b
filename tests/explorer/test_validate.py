"""Browser inputs are validated like CLI inputs: the same parsers, one-line errors, nothing evaluated."""

from __future__ import annotations

import pytest

from mtorsim import Dose, InputError, Medium, UnknownNameError
from mtorsim.explorer import Scenario, parse_scenario
from mtorsim.explorer._validate import MAX_HOURS, parse_dose_response


def test_default_form_is_mcf7_untreated_full_medium():
    sc = parse_scenario({})
    assert sc.cell.name == "MCF7" and sc.doses == () and sc.medium == Medium("full")
    assert sc.hours == 48.0 and sc.normalize == "reference"


def test_drug_rows_and_free_text_give_the_same_doses_as_the_cli_grammar():
    sc = parse_scenario({"cell": "mcf-7", "drug_0": "RAD001", "dose_0": "10nM", "start_0": "2h", "stop_0": "1d",
                         "extra_drugs": "fulvestrant=0.1uM; alpelisib=1uM@30min"})
    assert sc.doses == (Dose.parse("everolimus=10nM@2h-24h"), Dose.parse("fulvestrant=100nM"), Dose.parse("alpelisib=1uM@0.5h"))
    assert isinstance(hash(sc), int)   # hashable: the explorer caches on it


@pytest.mark.parametrize("form, field", [
    ({"drug_0": "everolimus", "dose_0": "10 parsecs"}, "dose of everolimus"),
    ({"drug_0": "everolimus", "dose_0": "-1nM"}, "dose of everolimus"),
    ({"drug_0": "everolimus", "dose_0": ""}, "dose of everolimus"),
    ({"drug_0": "everolimus", "dose_0": "10nM", "start_0": "5h", "stop_0": "2h"}, "stop time of everolimus"),
    ({"drug_0": "notadrug", "dose_0": "10nM"}, "drug"),
    ({"cell": "MCF8"}, "cell"),
    ({"hours": "0"}, "hours"),
    ({"hours": str(MAX_HOURS + 1)}, "hours"),
    ({"hours": "12", "network_time": "24"}, "network time"),
    ({"medium": "soup"}, "medium"),
    ({"estradiol": "lots"}, "estradiol"),
    ({"normalize": "max"}, "normalize"),
    ({"cell_mode": "custom", "custom_alterations": "PIK3CA:H1047R, XYZ1:loss"}, "alteration"),
    ({"cell_mode": "custom", "custom_traits": ["LTED", "immortal"]}, "traits"),
    ({"extra_drugs": "everolimus 10nM"}, "drug"),
    ({"hours": "x" * 500}, "hours"),
    ({"hours": {"$gt": 1}}, "hours"),
])
def test_bad_input_is_one_line_naming_the_field(form, field):
    with pytest.raises(InputError) as e:
        parse_scenario(form)
    assert e.value.field == field
    assert "\n" not in str(e.value) and "not allowed" in str(e.value)


@pytest.mark.parametrize("text", ["__import__('os').system('true')", "1e3*10", "everolimus=10nM@(lambda: 1)()", "{{7*7}}nM"])
def test_code_is_never_evaluated_only_refused(text, monkeypatch):
    import builtins

    def trap(*a, **k):
        raise AssertionError("eval/exec called on user input")
    monkeypatch.setattr(builtins, "eval", trap)
    monkeypatch.setattr(builtins, "exec", trap)
    for form in ({"drug_0": "everolimus", "dose_0": text}, {"extra_drugs": text}, {"hours": text}):
        with pytest.raises(InputError):
            parse_scenario(form)


def test_custom_genotype_is_built_with_define_cell():
    from mtorsim import define_cell
    sc = parse_scenario({"cell_mode": "custom", "custom_name": "MCF7-myrAKT", "custom_base": "MCF7",
                         "custom_alterations": "AKT1:myr", "custom_traits": ["LTED"]})
    assert sc.cell == define_cell("MCF7-myrAKT", base="MCF7", alterations=["AKT1:myr"], traits=("LTED",))
    from_scratch = parse_scenario({"cell_mode": "custom", "custom_base": "", "custom_alterations": "PTEN:loss",
                                   "custom_er": "negative"}).cell
    assert from_scratch.alterations == ("PTEN:loss",) and from_scratch.receptors == {"ER": "negative"}


def test_unknown_cell_suggests_close_names():
    with pytest.raises(UnknownNameError, match="did you mean"):
        parse_scenario({"cell": "MCF-77"})


def test_dose_response_request():
    sc = parse_scenario({"drug_0": "everolimus", "dose_0": "10nM"})
    req = parse_dose_response({"dr_doses": "1nM..1uM", "dr_n": 4}, sc)
    assert (req.cell, req.drug, req.medium) == ("MCF7", "everolimus", "full")
    assert req.doses_nM == pytest.approx((1.0, 10.0, 100.0, 1000.0))
    assert parse_dose_response({}, parse_scenario({})) is None          # no drug, no curve
    for bad in ({"dr_n": 40}, {"dr_n": 3}, {"dr_n": "many"}, {"dr_doses": "10uM..1nM"}, {"dr_doses": "1,10nM"}):
        with pytest.raises(InputError):
            parse_dose_response(bad, sc)
    custom = parse_scenario({"cell_mode": "custom", "drug_0": "everolimus", "dose_0": "10nM"})
    with pytest.raises(InputError, match="catalogue cell line"):
        parse_dose_response({}, custom)


def test_scenario_calls_simulate_with_the_validated_values():
    sc = Scenario(parse_scenario({}).cell, (Dose.parse("everolimus=1nM"),), Medium("serum_free"), 24.0, "cell", 12.0)
    kw = sc.simulate_kwargs()
    assert kw["drugs"] == [Dose.parse("everolimus=1nM")] and kw["medium"] == Medium("serum_free")
    assert kw["hours"] == 24.0 and kw["normalize"] == "cell"
    assert sc.untreated().doses == () and sc.untreated().medium == sc.medium
