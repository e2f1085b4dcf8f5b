"""HillFit: recovery of known curves, range flags, intervals, warnings, units."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mtorsim._errors import InputError
from mtorsim.response import FitConvergenceError, FitConvergenceWarning, HillFit, hill_curve, inverse_hill

C = np.logspace(0, 4, 9)  # nM


@settings(max_examples=25, deadline=None)
@given(
    ec50=st.floats(5, 2000),
    hill=st.floats(0.5, 3),
    einf=st.floats(0.0, 0.4),
)
def test_recovers_noise_free_curve(ec50, hill, einf):
    y = hill_curve(C, e0=1.0, einf=einf, ec50=ec50, hill=hill)
    fit = HillFit().fit(C, y)
    assert fit.status_ == "converged"
    assert fit.ec50_ == pytest.approx(ec50, rel=1e-4)
    assert fit.hill_ == pytest.approx(hill, rel=1e-4)
    assert fit.einf_ == pytest.approx(einf, abs=1e-5)


@settings(max_examples=15, deadline=None)
@given(n=st.integers(-3, 3))
def test_dose_rescaling_only_rescales_concentrations(n):
    y = hill_curve(C, e0=1.0, einf=0.2, ec50=50, hill=1.3) + np.random.default_rng(1).normal(0, 0.02, C.size)
    ref = HillFit().fit(C, y)
    scaled = HillFit().fit(C * 10.0**n, y)
    assert scaled.ec50_ == pytest.approx(ref.ec50_ * 10.0**n, rel=1e-5)
    assert scaled.hill_ == pytest.approx(ref.hill_, rel=1e-5)
    assert scaled.auc_ == pytest.approx(ref.auc_, rel=1e-6)


def test_units_uM_input_reports_nM():
    y = hill_curve(C, e0=1.0, einf=0.1, ec50=100, hill=1)
    fit = HillFit(conc_unit="uM").fit(C / 1000, y)
    assert fit.ec50_ == pytest.approx(100, rel=1e-5)
    assert fit.summary.loc["ec50", "unit"] == "nM"


def test_ic50_not_reached_is_flagged_not_extrapolated():
    y = hill_curve(C, e0=1.0, einf=0.6, ec50=100, hill=1.2)
    fit = HillFit().fit(C, y)
    assert np.isnan(fit.ic50_)
    assert fit.censoring_["ic50"] == "not reached"
    assert fit.summary.loc["ic50", "flag"] == "not reached"


def test_ic50_beyond_max_dose_is_flagged():
    c = np.logspace(0, 2, 7)
    y = hill_curve(c, e0=1.0, einf=0.0, ec50=300, hill=1.0)
    fit = HillFit().fit(c, y)
    assert np.isnan(fit.ic50_)
    assert fit.censoring_["ic50"] == ">max dose"
    assert fit.censoring_["ec50"] == ">max dose"


def test_summary_intervals_cover_truth_covariance_and_bootstrap():
    rng = np.random.default_rng(3)
    c = np.repeat(C, 3)
    y = hill_curve(c, e0=1.0, einf=0.1, ec50=80, hill=1.1) + rng.normal(0, 0.03, c.size)
    for method in ("covariance", "bootstrap"):
        s = HillFit(ci_method=method, random_state=0, n_bootstrap=100).fit(c, y).summary
        assert s.attrs["ci_method"] == method
        assert s.loc["ec50", "ci_lower"] < 80 < s.loc["ec50", "ci_upper"]
        assert s.loc["hill", "ci_lower"] < 1.1 < s.loc["hill", "ci_upper"]
        assert list(s.columns) == ["estimate", "ci_lower", "ci_upper", "unit", "flag"]


def test_fixed_parameters_are_marked():
    y = hill_curve(C, e0=1.0, einf=0.1, ec50=80, hill=1.1)
    s = HillFit(fix_e0=1.0).fit(C, y).summary
    assert s.loc["e0", "flag"] == "fixed"
    assert np.isnan(s.loc["e0", "ci_lower"])


def test_non_convergence_warns_or_raises(monkeypatch):
    from mtorsim.response import _hill

    real = _hill.optimize.least_squares

    def starved(*args, **kwargs):  # one function evaluation: the optimiser reports status 0
        kwargs["max_nfev"] = 1
        return real(*args, **kwargs)

    monkeypatch.setattr(_hill.optimize, "least_squares", starved)
    y = hill_curve(C, e0=1.0, einf=0.1, ec50=80, hill=1.1)
    with pytest.warns(FitConvergenceWarning, match="did not converge"):
        fit = HillFit().fit(C, y)
    assert fit.status_ == "failed"
    assert fit.summary.attrs["status"] == "failed"
    with pytest.raises(FitConvergenceError):
        HillFit(on_failure="raise").fit(C, y)


def test_input_errors_name_the_field():
    with pytest.raises(InputError, match="conc"):
        HillFit().fit([-1, 1, 2, 3, 4], [1, 1, 1, 1, 1])
    with pytest.raises(InputError, match="effect"):
        HillFit().fit(C, C[:-1])
    with pytest.raises(InputError, match="conc_unit"):
        HillFit(conc_unit="furlong").fit(C, C)
    with pytest.raises(InputError, match="ci_method"):
        HillFit(ci_method="jackknife").fit(C, C)
    with pytest.raises(InputError, match="non-zero doses"):
        HillFit().fit([0, 0, 1, 1], [1, 1, 0.5, 0.5])


def test_inverse_hill_round_trip_and_outside():
    e = hill_curve(np.array([3.0, 30.0]), e0=1, einf=0.2, ec50=10, hill=2)
    assert inverse_hill(e, e0=1, einf=0.2, ec50=10, hill=2) == pytest.approx([3.0, 30.0])
    assert np.isnan(inverse_hill(0.1, e0=1, einf=0.2, ec50=10, hill=2))


def test_unfitted_predict_raises():
    with pytest.raises(RuntimeError, match="not fitted"):
        HillFit().predict([1.0])
