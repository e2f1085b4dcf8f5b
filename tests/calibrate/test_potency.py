"""Cellular potency factors of the ATP-competitive PI3K/AKT/mTOR inhibitors (mtorsim.calibrate._potency)."""

from __future__ import annotations

import numpy as np
import pytest

from mtorsim.biology import get_drug
from mtorsim.calibrate._potency import calibrate_potency, crossing_dose, is_fitted_drug


def test_crossing_dose_interpolates_in_log_dose():
    doses = np.array([1.0, 10.0, 100.0])
    assert crossing_dose(doses, np.array([1.0, 0.75, 0.25])) == pytest.approx(10 ** 1.5)
    assert np.isnan(crossing_dose(doses, np.array([1.0, 0.9, 0.6])))       # never reaches 0.5
    assert np.isnan(crossing_dose(doses, np.array([0.4, 0.3, 0.2])))       # below 0.5 at the first dose: unknown


def test_the_factor_multiplies_every_target_potency_and_keeps_selectivity():
    d = get_drug("alpelisib")
    assert d.potency_factor > 1 and d.potency_factor_source.startswith("fitted to the HMS LINCS")
    a, b = (t for t in d.targets)
    assert a.ic50_nM == pytest.approx(a.target_ic50_nM * d.potency_factor)
    assert b.ic50_nM / a.ic50_nM == pytest.approx(b.target_ic50_nM / a.target_ic50_nM)   # isoform selectivity kept
    ev = get_drug("everolimus")                                    # allosteric rapalog: not shifted
    assert ev.potency_factor == 1 and ev.targets[0].ic50_nM == ev.targets[0].target_ic50_nM


def test_which_drugs_are_fitted():
    assert is_fitted_drug("alpelisib") and is_fitted_drug("capivasertib") and is_fitted_drug("sapanisertib")
    assert not is_fitted_drug("MK-2206")          # allosteric AKT inhibitor
    assert not is_fitted_drug("everolimus") and not is_fitted_drug("fulvestrant")


@pytest.fixture(scope="module")
def panel_fit(shared_data):
    """One fit of the whole panel (~18 s) shared by the tests below."""
    return calibrate_potency()


def test_catalogue_factors_are_the_fit_and_held_out_lines_improve(panel_fit):
    """HMS LINCS breast panel GR50s (Hafner et al.; shared/data/response). The catalogue's factors are what the
    fit returns (refitting from them changes them by < 5 %: the model's GR50 scales exactly with the factor),
    and on the lines held out of the fit the model's GR50 comes closer to the measured one than with the
    target-level potencies (factor 1): median over drugs of |log ratio| smaller, and within 3x."""
    t = panel_fit.table.set_index("drug")
    assert len(t) >= 8, t
    assert np.allclose(t["factor_fitted"] / t["factor_current"], 1, rtol=0.05), t[["factor_current", "factor_fitted"]]
    assert np.allclose(t["ratio_train_current"], 1, rtol=0.05)
    fitted = np.abs(np.log(t["ratio_held_out_fitted"].dropna()))
    at_one = np.abs(np.log((t["ratio_held_out_current"] / t["factor_current"]).dropna()))   # GR50 is proportional to the factor
    assert np.median(fitted) < np.median(at_one), (fitted, at_one)
    assert np.median(fitted) < np.log(3), t["ratio_held_out_fitted"]


def test_cli_writes_the_fit_and_names_the_allowed_layers(panel_fit, tmp_path, monkeypatch):
    """The command writes the fit (the module's fit is reused: the command calls calibrate_potency, tested above)."""
    import pandas as pd
    from typer.testing import CliRunner

    import mtorsim.calibrate._potency as potency
    from mtorsim.cli import app
    from mtorsim.cli._app import _register
    _register()
    calls = []
    monkeypatch.setattr(potency, "calibrate_potency", lambda **kw: calls.append(kw) or panel_fit)
    runner = CliRunner()
    r = runner.invoke(app, ["calibrate-defaults", "--layer", "potency", "--out", str(tmp_path), "--quiet"])
    assert r.exit_code == 0, r.output
    assert calls == [{"progress": False}]                    # --quiet: no progress bar
    fit = pd.read_csv(tmp_path / "potency_fit.csv")
    assert list(fit["drug"]) == list(panel_fit.table["drug"]) and (tmp_path / "potency_lines.csv").exists()
    assert any(p.name.startswith("potency_fit.csv") and p.suffix == ".json" for p in tmp_path.iterdir())   # versions sidecar
    bad = runner.invoke(app, ["calibrate-defaults", "--layer", "potencies", "--out", str(tmp_path)])
    assert bad.exit_code != 0 and "potencies" in bad.output and "signalling, fate or potency" in bad.output


def test_a_drug_outside_the_panel_is_named(shared_data):
    from mtorsim._errors import InputError
    with pytest.raises(InputError, match="drugs.*lapatinib.*HMS LINCS"):
        calibrate_potency(drugs=["lapatinib"])
