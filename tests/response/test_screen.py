"""Virtual dose-response and combination screens built on the network and the fate layer."""

from __future__ import annotations

import numpy as np
import pytest

from mtorsim import combination, dose_response
from mtorsim._errors import InputError
from mtorsim.response import parse_dose_range


def test_dose_response_is_labelled_and_monotone():
    res = dose_response(["MCF7", "MDA-MB-231"], "alpelisib", doses="1nM..10uM", n_doses=5)
    assert res.data["GR"].dims == ("cell", "drug", "dose_nM")
    assert res.data["dose_nM"].attrs["units"] == "nM"
    gr = res.data["GR"].sel(cell="MCF7", drug="alpelisib").values
    assert np.all(np.diff(gr) <= 1e-9)          # more drug, less growth
    assert set(res.metrics.columns) >= {"IC50_nM", "IC50_flag", "Emax", "AUC", "GR50_nM", "GRmax", "GEC50_nM", "GR_AOC", "GR_fit"}
    # PIK3CA-mutant MCF7 respond more than PIK3CA/PTEN wild-type MDA-MB-231
    aoc = res.metrics.set_index("cell")["GR_AOC"]
    assert aoc["MCF7"] > aoc["MDA-MB-231"]


def test_range_limited_metrics_are_flagged_not_extrapolated():
    res = dose_response("MCF7", "everolimus", doses="0.01nM..0.1nM", n_doses=4)
    row = res.metrics.iloc[0]
    assert np.isnan(row["GR50_nM"]) and row["GR50_flag"]


@pytest.mark.parametrize("bad", ["10nM..1nM", "-1nM..1uM", "", "ten..twenty"])
def test_bad_dose_ranges_are_rejected(bad):
    with pytest.raises(InputError):
        parse_dose_range(bad)


def test_combination_grid_and_synergy_methods():
    res = combination("MCF7", ["everolimus", "fulvestrant"], grid=4)
    assert res.surface["viability"].shape == (4, 4)
    assert float(res.surface["viability"].sel(dose_a=0, dose_b=0)) == pytest.approx(1.0)
    assert set(res.scores.index) == {"bliss", "hsa", "loewe", "zip"}
    assert (res.scores["null_value"] == 0).all()


def test_combination_needs_two_drugs_and_a_big_enough_grid():
    with pytest.raises(InputError, match="drugs"):
        combination("MCF7", ["everolimus"], grid=4)
    with pytest.raises(InputError, match="grid"):
        combination("MCF7", ["everolimus", "alpelisib"], grid=3)


def test_screen_wells_match_single_assays():
    """The screen path (simulate_many + vectorised fate) and the one-well path (assay) are the same model."""
    from mtorsim.fate import assay
    res = dose_response("T47D", "alpelisib", doses=[10.0, 100.0, 1000.0, 10000.0])
    for x in (10.0, 1000.0):
        w = assay("T47D", [f"alpelisib={x}nM"])
        assert float(res.data["GR"].sel(cell="T47D", drug="alpelisib", dose_nM=x)) == pytest.approx(w["GR"], rel=1e-9)
        assert float(res.data["viability"].sel(cell="T47D", drug="alpelisib", dose_nM=x)) == pytest.approx(w["viability"], rel=1e-9)


def test_screen_resumes_from_its_work_folder(tmp_path):
    a = dose_response("MCF7", "everolimus", doses=[0.1, 1.0, 10.0, 100.0], out=tmp_path / "w")
    b = dose_response("MCF7", "everolimus", doses=[0.1, 1.0, 10.0, 100.0], out=tmp_path / "w")
    np.testing.assert_array_equal(a.data["GR"].values, b.data["GR"].values)
    assert (tmp_path / "w" / "manifest.json").exists()
