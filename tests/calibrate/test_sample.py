"""Posterior ensembles (adaptive Metropolis) and prediction bands.

Reference for the posterior's width: the Laplace approximation of the same posterior, covariance
``(JᵀJ)⁻¹`` with ``J`` the Jacobian of the noise-normalised residuals on the parameter scale. The
synthetic problem's two rate constants are well determined by eight points, so the posterior is
close to Gaussian and the two must agree to sampling error (a few hundred effective draws: ~10 %).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from _synthetic import write_problem
from mtorsim._errors import InputError
from mtorsim.calibrate import (Ensemble, Objective, SamplingSettings, calibrate, plot_bands, predict_bands,
                               sample)


@pytest.fixture(scope="module")
def noisy(tmp_path_factory):
    path = write_problem(tmp_path_factory.mktemp("noisy") / "p", noise=0.05, seed=3)
    fit = calibrate(path, starts=2, seed=0, progress=False)
    ens = sample(path, start=fit, n_samples=1200, chains=2, seed=1, progress=False)
    return path, fit, ens


def test_posterior_matches_the_laplace_approximation(noisy):
    path, fit, ens = noisy
    obj = Objective(path)
    J = obj.residual_jacobian(fit.best_x)
    laplace_sd = np.sqrt(np.diag(np.linalg.inv(J.T @ J)))
    x = ens.chains().reshape(-1, len(ens.ids))
    np.testing.assert_allclose(x.std(axis=0, ddof=1), laplace_sd, rtol=0.25)
    np.testing.assert_allclose(x.mean(axis=0), fit.best_x, atol=0.5 * laplace_sd.max())
    d = ens.diagnostics
    assert (d["rhat"] < 1.1).all() and (d["ess"] > 100).all(), d
    assert ((ens.acceptance > 0.1) & (ens.acceptance < 0.7)).all()
    assert ens.converged()
    # the 95 % interval of k1 (linear) holds the fitted value and is narrower than the bounds
    k1 = d.set_index("parameter").loc["k1"]
    assert k1["q2.5"] < fit.best_parameters.set_index("name").loc["k1", "value"] < k1["q97.5"]
    assert k1["q97.5"] / k1["q2.5"] < 2


def test_seeds_reproduce_and_save_load_keeps_the_id(noisy, tmp_path):
    path, fit, ens = noisy
    a = sample(path, start=fit, n_samples=60, chains=2, seed=5, progress=False, out=tmp_path / "a")
    b = sample(path, start=fit, n_samples=60, chains=2, seed=5, progress=False)
    c = sample(path, start=fit, n_samples=60, chains=2, seed=6, progress=False)
    assert a.id == b.id and a.id != c.id
    pd.testing.assert_frame_equal(a.samples, b.samples)
    loaded = Ensemble.load(tmp_path / "a")
    assert loaded.id == a.id and loaded.settings == a.settings
    assert a.initial_covariance == loaded.initial_covariance == "laplace"  # a least-squares problem
    pd.testing.assert_frame_equal(loaded.diagnostics, a.diagnostics)
    np.testing.assert_array_equal(a.starts[0], fit.best_x)  # chain 0 starts at the best fit
    members = a.members(5, seed=0)
    assert len(members) == 5 and members["member"].is_unique and len(members["parameter_set_id"].iloc[0]) > 6


def test_petab_bands_bracket_the_median_and_cover_the_data(noisy):
    _, _, ens = noisy
    b = predict_bands(ens, kind="petab", n_members=40, quantiles=(0.025, 0.5, 0.975))
    s = b["simulation"]
    assert s.dims == ("quantile", "row") and list(b["quantile"].values) == [0.025, 0.5, 0.975]
    assert (s.sel(quantile=0.025) <= s.sel(quantile=0.5)).all() and (s.sel(quantile=0.5) <= s.sel(quantile=0.975)).all()
    assert (s.sel(quantile=0.975) - s.sel(quantile=0.025) > 0).all()
    assert b.attrs["ensemble_id"] == ens.id and b.attrs["n_members"] == 40
    # the function hook: any prediction from a parameter dict
    f = predict_bands(ens, kind="function", fn=lambda p: {"k1_over_k2": p["k1"] / p["k2"]}, n_members=30)
    lo, hi = f["k1_over_k2"].sel(quantile=0.05).item(), f["k1_over_k2"].sel(quantile=0.95).item()
    assert 0 < lo < 0.5 / 0.2 < hi < 10


def _hand_made_ensemble():
    from mtorsim.model import build_network

    net = build_network()
    ids = ["k_s6k_on", "k_pten"]
    base = np.log10([net.parameters[i].value for i in ids])
    rng = np.random.default_rng(0)
    rows = [{"chain": c, "iteration": t, "logpost": 0.0, "accepted": True,
             **{f"x:{p}": b + 0.3 * rng.standard_normal() for p, b in zip(ids, base)}}
            for c in range(2) for t in range(10)]
    s = SamplingSettings(n_samples=10, chains=2, burn_in=0.0)
    return Ensemble(pd.DataFrame(rows), ids=ids, scales=["log10"] * 2, units=["", ""], settings=s,
                    problem="hand-made", starts=np.array([base, base]))


def test_time_course_and_dose_response_bands_of_the_mtorsim_model():
    ens = _hand_made_ensemble()
    b = predict_bands(ens, kind="timecourse", drugs=["", "everolimus=10nM"], hours=8, n_points=3, n_members=4,
                      observables=["pS6K1_T389"])
    da = b["pS6K1_T389"]
    assert da.dims == ("quantile", "treatment", "time")
    np.testing.assert_allclose(da.sel(time=0.0), 1.0, rtol=1e-6)  # normalised to the untreated cell
    assert (da.sel(quantile=0.05) <= da.sel(quantile=0.95)).all()
    treated = da.sel(treatment="everolimus=10nM", time=8.0)
    assert float(treated.sel(quantile=0.95)) > float(treated.sel(quantile=0.05))  # the members differ
    d = predict_bands(ens, kind="dose_response", drug="everolimus", doses=[0.1, 1, 10, 100, 1000], hours=8,
                      n_members=3, observables=["pS6K1_T389"])
    assert "IC50_nM:pS6K1_T389" in d and d["pS6K1_T389"].dims == ("quantile", "dose_nM")
    curve = d["pS6K1_T389"].sel(quantile=0.5).to_numpy()
    assert curve[0] > curve[-1]  # everolimus lowers pS6K1
    import matplotlib

    matplotlib.use("Agg")
    ax = plot_bands(b.sel(treatment="everolimus=10nM"), "pS6K1_T389")
    assert len(ax.collections) == 1 and len(ax.lines) == 1
    ax = plot_bands(d, "pS6K1_T389")
    assert ax.get_xscale() == "log"


def test_bad_input_is_refused_with_the_field_named(noisy):
    path, fit, ens = noisy
    with pytest.raises(InputError, match="kind"):
        predict_bands(ens, kind="trial")
    with pytest.raises(InputError, match="fn"):
        predict_bands(ens, kind="function")
    with pytest.raises(InputError, match="export_petab"):
        predict_bands(ens, kind="timecourse")  # k1, k2 are not mtorsim parameters
    with pytest.raises(InputError, match="quantiles"):
        predict_bands(ens, kind="petab", quantiles=(0.5, 1.5))
    with pytest.raises(InputError, match="burn_in"):
        SamplingSettings(burn_in=1.0)
    with pytest.raises(InputError, match="start"):
        sample(path, start=np.array([5.0, 5.0]), n_samples=20, chains=1, progress=False)
    with pytest.raises(InputError, match="variable"):
        plot_bands(xr.Dataset(), "x")


def test_cli_sample_writes_the_ensemble(noisy, tmp_path):
    import typer
    from typer.testing import CliRunner

    from mtorsim.cli._sample_cmd import register

    app = typer.Typer()

    @app.callback()
    def _root() -> None:  # a group, so that the command is called by name
        pass

    register(app)
    path, fit, _ = noisy
    fit.save(tmp_path / "fit")
    out = tmp_path / "ens"
    r = CliRunner().invoke(app, ["sample", str(path), "--from", str(tmp_path / "fit"), "--samples", "200",
                                 "--chains", "2", "--seed", "3", "--out", str(out), "--quiet"])
    assert r.exit_code == 0, r.output
    ens = Ensemble.load(out)
    assert ens.settings.seed == 3 and ens.settings.chains == 2
    assert (out / "traces.png").is_file() and (out / "bands_petab.nc").is_file()
    bands = xr.open_dataset(out / "bands_petab.nc")
    assert "quantile" in bands.dims
    bands.close()


def test_parallel_chains_give_the_same_draws(noisy):
    path, fit, _ = noisy
    serial = sample(path, start=fit, n_samples=40, chains=2, seed=2, progress=False)
    pool = sample(path, start=fit, n_samples=40, chains=2, seed=2, progress=False, n_workers=2)
    assert serial.id == pool.id
    pd.testing.assert_frame_equal(serial.samples, pool.samples)


def test_gr50_bands_carry_the_ensemble_into_a_growth_screen():
    """The members' network parameters go through the fate layer into a 72-h GR screen (Hafner et al.
    2016 metrics): GR falls with alpelisib dose in MCF7 (PIK3CA-mutant), the members give different
    curves, and the bands are ordered."""
    ens = _hand_made_ensemble()
    b = predict_bands(ens, kind="gr", drug="alpelisib", doses=[1, 10, 100, 1000, 10000], n_members=3)
    gr = b["GR"]
    assert gr.dims == ("quantile", "dose_nM") and b["GR"].attrs["hours"] == 72.0
    med = gr.sel(quantile=0.5).to_numpy()
    assert med[0] > med[-1] + 0.3
    assert (gr.sel(quantile=0.05) <= gr.sel(quantile=0.95)).all()
    assert float(gr.sel(quantile=0.95, dose_nM=1000) - gr.sel(quantile=0.05, dose_nM=1000)) > 0
    assert {"GR50_nM", "GRmax", "GR_AOC"} <= set(b.data_vars)
    with pytest.raises(InputError, match="drug"):
        predict_bands(ens, kind="gr")


def test_trial_outcome_bands_through_the_function_hook():
    """Issue 5 §2: an ensemble's network parameters carried into a virtual trial (run_trial(parameters=...))
    and out as bands of a trial outcome; the members' tumours differ, so the bands have width, and the
    members' parameters are recorded in each trial's summary."""
    from mtorsim.trial import run_trial

    ens = _hand_made_ensemble()
    seen = []

    def hr(p):
        s = run_trial("bolero2", seed=0, patients=40, progress=False, parameters=p).summary
        seen.append(s["run"]["network_parameters"])
        return {"hazard_ratio": next(iter(s["comparisons"].values()))["hazard_ratio"],
                "median_pfs_everolimus": s["arms"]["everolimus+exemestane"]["median_pfs_months"]}

    b = predict_bands(ens, kind="function", fn=hr, n_members=2, quantiles=(0.0, 1.0))
    assert float(b["hazard_ratio"].sel(quantile=1.0)) > float(b["hazard_ratio"].sel(quantile=0.0))
    assert len(seen) == 2 and seen[0] != seen[1] and {k for k, _ in seen[0]} == {"k_s6k_on", "k_pten"}
    with pytest.raises(InputError, match="parameters"):
        run_trial("bolero2", patients=10, progress=False, parameters={"not_a_parameter": 1.0})
