"""Multi-start calibration on small synthetic PEtab problems (see _synthetic.py: analytic A → B → ∅).

Known answer: noise-free data generated from k1 = 0.5, k2 = 0.2 (``_synthetic.TRUE``); the fit must
recover them. Everything here runs in a few seconds (a simulation of the problem takes ~0.3 ms).
"""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

from _synthetic import TRUE, write_problem
from mtorsim._errors import InputError
from mtorsim.calibrate import (CalibrationResult, CalibrationSettings, CalibrationWarning, Objective, calibrate,
                               evaluate_petab, load_parameter_set)
from mtorsim.calibrate import _fit


def test_noise_free_fit_recovers_the_true_parameters(synthetic, tmp_path):
    res = calibrate(synthetic, starts=4, seed=1, progress=False)
    best = res.best_parameters.set_index("name")
    assert best.loc["k1", "value"] == pytest.approx(TRUE["k1"], rel=1e-4)
    assert best.loc["k2", "value"] == pytest.approx(TRUE["k2"], rel=1e-4)
    assert best.loc["k1", "unit"] == "1/h"
    # at the truth χ² = 0, so f = -llh = Σ ½ log(2π σ²) over the 8 measurements (σ = 0.05)
    assert res.best_fval == pytest.approx(8 * 0.5 * math.log(2 * math.pi * 0.05 ** 2), abs=1e-6)
    c = res.convergence()
    assert c["n_at_best"] >= 1 and c["n_failed"] == 0
    assert list(res.starts["fval"]) == sorted(res.starts["fval"])
    assert "forward sensitivities" in res.summary.loc[0, "gradient"]


def test_least_squares_optimizer_agrees(synthetic):
    res = calibrate(synthetic, starts=3, seed=1, optimizer="trf", progress=False)
    best = res.best_parameters.set_index("name")["value"]
    assert best["k1"] == pytest.approx(TRUE["k1"], rel=1e-4) and best["k2"] == pytest.approx(TRUE["k2"], rel=1e-4)


def test_start_points_depend_only_on_seed_and_index(synthetic):
    a = calibrate(synthetic, starts=2, seed=3, progress=False, settings=CalibrationSettings(max_iter=1))
    b = calibrate(synthetic, starts=3, seed=3, progress=False, settings=CalibrationSettings(max_iter=1))
    x0a = a.starts.sort_values("start")[["x0:k1", "x0:k2"]].to_numpy()
    x0b = b.starts.sort_values("start")[["x0:k1", "x0:k2"]].to_numpy()
    np.testing.assert_array_equal(x0a, x0b[:2])


class _Interrupt(Exception):
    pass


def test_resume_runs_only_the_unfinished_starts(synthetic, tmp_path, monkeypatch):
    out = tmp_path / "fit"
    real = _fit._run_start
    ran: list[int] = []

    def interrupted(obj, settings, i, x0=None):
        if len(ran) == 2:
            raise _Interrupt("stopped after 2 starts")
        ran.append(i)
        return real(obj, settings, i, x0)

    monkeypatch.setattr(_fit, "_run_start", interrupted)
    with pytest.raises(_Interrupt):
        calibrate(synthetic, starts=5, out=out, progress=False)
    assert sorted(p.name for p in (out / "starts").glob("*.json")) == ["0000.json", "0001.json"]
    first = (out / "starts" / "0000.json").read_text()

    rerun: list[int] = []

    def counting(obj, settings, i, x0=None):
        rerun.append(i)
        return real(obj, settings, i, x0)

    monkeypatch.setattr(_fit, "_run_start", counting)
    res = calibrate(synthetic, starts=5, out=out, progress=False)
    assert rerun == [2, 3, 4]
    assert len(res.starts) == 5
    assert (out / "starts" / "0000.json").read_text() == first  # finished starts are kept as they were
    # a different seed in the same folder is refused (the finished starts would not belong to it)
    with pytest.raises(InputError, match="settings.seed"):
        calibrate(synthetic, starts=5, seed=9, out=out, progress=False)


@pytest.mark.parametrize("gradient", ["sensitivities", "fd"])
def test_a_failed_start_is_recorded_and_the_others_run(tmp_path, gradient):
    # blow > 0 adds +blow·B² to dB/dt: B explodes in finite time and CVODE fails
    problem = write_problem(tmp_path / "blow", estimate=("k1", "k2", "blow"), blow=True)
    x0 = np.array([[0.0, -0.5, 0.0], [0.0, -0.5, 10.0], [-0.5, -1.0, 0.0]])
    res = calibrate(problem, x0=x0, out=tmp_path / "fit", progress=False, gradient=gradient)
    assert gradient[:4] in res.gradient_method.replace("finite differences", "fd")
    st = res.starts.set_index("start")
    assert st.loc[1, "status"] == "failed"
    assert "objective not finite at the start point" in st.loc[1, "message"]
    assert "CVODE" in st.loc[1, "message"] or "simulation failed" in st.loc[1, "message"]
    assert st.loc[0, "status"] != "failed" and st.loc[2, "status"] != "failed"
    rec = json.loads((tmp_path / "fit" / "starts" / "0001.json").read_text())
    assert rec["status"] == "failed" and rec["message"]
    assert res.convergence()["n_failed"] == 1


def test_an_exception_inside_a_start_is_recorded(synthetic, monkeypatch):
    calls = {"n": 0}
    real = Objective.value_and_grad

    def flaky(self, x):
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("solver crashed")
        return real(self, x)

    monkeypatch.setattr(Objective, "value_and_grad", flaky)
    res = calibrate(synthetic, starts=3, progress=False)
    failed = res.starts[res.starts["status"] == "failed"]
    assert len(failed) == 1 and "RuntimeError: solver crashed" in failed["message"].iloc[0]
    assert (res.starts["status"] != "failed").sum() == 2


def test_save_load_roundtrip_and_parameter_set_by_id(synthetic, tmp_path, monkeypatch):
    monkeypatch.setenv(_fit.STORE_ENV, str(tmp_path / "store"))
    res = calibrate(synthetic, starts=2, out=tmp_path / "fit", progress=False)
    back = CalibrationResult.load(tmp_path / "fit")
    assert back == res
    pd.testing.assert_frame_equal(back.best_parameters, res.best_parameters, check_dtype=False)
    ps = res.parameter_set
    loaded = load_parameter_set(ps.id, store=tmp_path / "fit")
    assert loaded == ps and loaded.values["k1"] == pytest.approx(TRUE["k1"], rel=1e-4)
    assert loaded.versions["mtorsim"] and loaded.seed == 0
    _fit.save_parameter_set(ps)  # the user store ($MTORSIM_PARAMETER_SETS here)
    assert load_parameter_set(ps.id) == ps
    with pytest.raises(InputError, match="parameter set"):
        load_parameter_set("000000000000", store=tmp_path / "fit")
    # the saved values reproduce the best objective
    ev = evaluate_petab(synthetic, parameters=loaded.values)
    assert -ev.llh == pytest.approx(res.best_fval, abs=1e-6)


def test_priors_enter_the_objective(tmp_path):
    problem = write_problem(tmp_path / "prior", extra_parameter_columns={
        "objectivePriorType": ["parameterScaleNormal", "normal", "", ""],
        "objectivePriorParameters": ["0;0.5", "0.2;0.1", "", ""]})
    obj = Objective(problem)
    x = np.log10([TRUE["k1"], TRUE["k2"]])
    llh = evaluate_petab(problem).llh
    lp = (-0.5 * math.log(2 * math.pi * 0.25) - 0.5 * (x[0] / 0.5) ** 2
          - 0.5 * math.log(2 * math.pi * 0.01) - 0.5 * ((0.2 - 0.2) / 0.1) ** 2)
    assert obj(x) == pytest.approx(-llh - lp, rel=1e-10)
    # the prior on k1 (centred on 1) pulls the fit away from the data's 0.5
    res = calibrate(problem, starts=2, progress=False)
    assert 0.5 < res.best_parameters.set_index("name").loc["k1", "value"] < 1.0


def test_finite_difference_gradient_matches_analytic_direction(synthetic):
    obj = Objective(synthetic)
    x = np.log10([0.4, 0.3])
    f, g = obj.value_and_grad(x)
    h = 1e-4
    for i in range(2):
        e = np.zeros(2)
        e[i] = h
        assert g[i] == pytest.approx((obj(x + e) - obj(x - e)) / (2 * h), rel=1e-4)


def test_bad_settings_fail_at_the_line_that_made_them(synthetic):
    with pytest.raises(InputError, match="starts"):
        calibrate(synthetic, starts=0, progress=False)
    with pytest.raises(InputError, match="optimizer"):
        calibrate(synthetic, starts=1, optimizer="nelder", progress=False)
    with pytest.raises(InputError, match="backend"):
        calibrate(synthetic, starts=1, backend="ray", progress=False)
    with pytest.raises(InputError, match="gtol"):
        CalibrationSettings(gtol=0)


def test_models_with_events_fall_back_to_finite_differences_loudly(tmp_path):
    import warnings

    path = write_problem(tmp_path / "ev", event=True)
    with warnings.catch_warnings(record=True) as caught:  # pytest.warns would re-raise petab's pandas warnings
        warnings.simplefilter("always")
        res = calibrate(path, starts=1, gradient="sensitivities", progress=False)
    assert any(issubclass(w.category, CalibrationWarning) and "events" in str(w.message) for w in caught)
    assert "finite differences" in res.gradient_method and "events" in res.gradient_method
    fd = calibrate(path, starts=1, gradient="fd", progress=False)
    assert "finite differences" in fd.gradient_method and "fallback" not in fd.gradient_method


def test_process_pool_gives_the_same_starts(synthetic, tmp_path):
    serial = calibrate(synthetic, starts=3, progress=False)
    pool = calibrate(synthetic, starts=3, n_workers=2, backend="processes", out=tmp_path / "pool", progress=False)
    a = serial.starts.sort_values("start")
    b = pool.starts.sort_values("start")
    np.testing.assert_allclose(a["fval"], b["fval"], rtol=1e-9)
    assert len(list((tmp_path / "pool" / "starts").glob("*.json"))) == 3


def test_plots_return_their_axes(synthetic):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    res = calibrate(synthetic, starts=3, progress=False)
    for ax in (res.plot_waterfall(), res.plot_parameters(), res.plot_residuals()):
        assert ax is not None
        plt.close(ax.figure)
    r = res.residuals()
    assert np.abs(r["residual"]).max() < 1e-3  # noise-free data, exact fit


def test_trf_refuses_noise_that_depends_on_estimated_parameters(tmp_path):
    problem = write_problem(tmp_path / "p")
    obs = pd.read_csv(problem.parent / "observables.tsv", sep="\t")
    obs["noiseFormula"] = "0.05 * k1"
    obs.to_csv(problem.parent / "observables.tsv", sep="\t", index=False)
    with pytest.raises(InputError, match="trf"):
        calibrate(problem, starts=1, optimizer="trf", progress=False)


def test_objective_matches_pypesto_when_installed(tmp_path):
    """Side by side with pyPESTO 0.7's roadrunner objective (skipped when pyPESTO is absent).

    The fixed parameters are written on ``lin`` scale: pyPESTO 0.7.0's ``PetabImporterRR`` hands the
    *scaled* nominal values of fixed log10 parameters to the model as if linear (measured here: 1826
    instead of −16.6 at the true parameters). pyPESTO integrates with looser default tolerances,
    hence ``rel=1e-4``.
    """
    synthetic = write_problem(tmp_path / "p", fixed_scale="lin")
    pypesto_rr = pytest.importorskip("pypesto.objective.roadrunner", reason="pypesto is not installed")
    import warnings

    from petab.v1 import Problem

    x = np.log10([0.4, 0.3])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = float(pypesto_rr.PetabImporterRR(Problem.from_yaml(synthetic)).create_problem().objective(x))
    assert Objective(synthetic)(x) == pytest.approx(theirs, rel=1e-4)
