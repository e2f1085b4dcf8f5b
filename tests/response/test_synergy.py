"""Synergy methods against their textbook null cases, invariances and input contracts."""

import numpy as np
import pandas as pd
import pytest
import xarray as xr
from hypothesis import given, settings
from hypothesis import strategies as st

from mtorsim._errors import InputError
from mtorsim.response import SYNERGY_METHODS, dose_grid, hill_curve, synergy

DOSES = np.r_[0.0, np.logspace(0, 3, 5)]  # nM, 6 x 6 grid with the zero row/column


def table(fun, da=DOSES, db=DOSES, unit="nM"):
    rows = [(a, b, fun(a, b)) for a in da for b in db]
    return pd.DataFrame(rows, columns=[f"dose_a_{unit}", f"dose_b_{unit}", "effect"])


def inhib(ec50, h, emax=1.0):
    return lambda d: hill_curve(d, e0=0.0, einf=emax, ec50=ec50, hill=h)


curve = st.tuples(st.floats(3, 300), st.floats(0.6, 2.5))


@settings(max_examples=20, deadline=None)
@given(ca=curve, cb=curve)
def test_bliss_and_zip_are_zero_on_independent_surface(ca, cb):
    """E = Ea * Eb on viability is Bliss independence. With single drugs that are Hill curves
    from 0 to full effect (the ZIP assumption), every row of the surface is again such a curve
    with its lower asymptote at the other drug's effect, so the ZIP fits recover it and
    delta = 0 (Yadav 2015: ZIP reduces to Bliss for non-interacting log-logistic drugs)."""
    fa, fb = inhib(*ca), inhib(*cb)
    df = table(lambda a, b: (1 - fa(a)) * (1 - fb(b)))
    bliss = synergy(df, method="bliss", effect_scale="viability")
    assert np.nanmax(np.abs(bliss.excess.values)) < 1e-12
    zip_ = synergy(df, method="zip", effect_scale="viability")
    assert np.nanmax(np.abs(zip_.excess.values)) < 1e-4


@settings(max_examples=20, deadline=None)
@given(c=curve, emax=st.floats(0.5, 1.0))
def test_loewe_is_zero_on_sham_combination(c, emax):
    """A drug combined with itself, E(a, b) = f(a + b), is Loewe-additive by definition."""
    f = inhib(*c, emax=emax)
    res = synergy(table(lambda a, b: f(a + b)), method="loewe", effect_scale="inhibition")
    assert np.nanmax(np.abs(res.excess.values)) < 1e-5
    assert res.scores["mean"] == pytest.approx(0, abs=1e-6)


@settings(max_examples=15, deadline=None)
@given(c=curve)
def test_combination_index_is_one_on_sham_combination(c):
    """Chou-Talalay CI = 1 for a sham combination of a median-effect (Emax = 1) drug."""
    f = inhib(*c)
    res = synergy(table(lambda a, b: f(a + b)), method="loewe", effect_scale="inhibition")
    ci = res.combination_index.values
    finite = np.isfinite(ci)
    assert finite.sum() >= 20
    assert np.allclose(ci[finite], 1.0, atol=1e-6)
    assert res.combination_index.attrs["null_value"] == 1.0


def test_hsa_null_case():
    """HSA is 0 where the combination equals the stronger single agent, and only there."""
    fa, fb = inhib(20, 1), inhib(200, 1)
    res = synergy(table(lambda a, b: max(fa(a), fb(b))), method="hsa", effect_scale="inhibition")
    assert np.nanmax(np.abs(res.excess.values)) < 1e-15
    stronger = synergy(table(lambda a, b: min(1, max(fa(a), fb(b)) + 0.05 * (a > 0) * (b > 0))),
                       method="hsa", effect_scale="inhibition")
    assert stronger.scores["mean"] == pytest.approx(0.05, abs=0.01)


def test_synergy_sign_convention_same_on_both_scales():
    fa, fb = inhib(20, 1), inhib(50, 1.5)
    v = table(lambda a, b: (1 - fa(a)) * (1 - fb(b)) * (0.8 if a > 0 and b > 0 else 1.0))
    i = v.assign(effect=1 - v.effect)
    for m in SYNERGY_METHODS:
        rv = synergy(v, method=m, effect_scale="viability")
        ri = synergy(i, method=m, effect_scale="inhibition")
        xr.testing.assert_allclose(rv.excess, ri.excess, atol=1e-8)
        assert rv.null_value == 0 and rv.direction == "positive = synergy"
    assert synergy(v, method="bliss", effect_scale="viability").scores["mean"] > 0


def _noisy_surface(seed):
    rng = np.random.default_rng(seed)
    fa, fb = inhib(30, 1.2), inhib(100, 0.9)
    noise = {(a, b): rng.normal(0, 0.03) for a in DOSES for b in DOSES}
    return lambda a, b: float(np.clip((1 - fa(a)) * (1 - fb(b)) * (0.9 if a * b > 0 else 1) + noise[(a, b)], 0, 1.2))


@pytest.mark.parametrize("method", SYNERGY_METHODS)
def test_swapping_drugs_transposes_result(method):
    f = _noisy_surface(0)
    ab = synergy(table(f), method=method, effect_scale="viability")
    ba_table = table(f).rename(columns={"dose_a_nM": "dose_b_nM", "dose_b_nM": "dose_a_nM"})
    ba = synergy(ba_table, method=method, effect_scale="viability")
    np.testing.assert_allclose(ab.excess.values, ba.excess.values.T, atol=1e-6, equal_nan=True)


@pytest.mark.parametrize("method", SYNERGY_METHODS)
@pytest.mark.parametrize("n", [-2, 3])
def test_dose_rescaling_leaves_scores_unchanged(method, n):
    f = _noisy_surface(1)
    ref = synergy(table(f), method=method, effect_scale="viability")
    scaled_rows = [(a * 10.0**n, b * 10.0**n, f(a, b)) for a in DOSES for b in DOSES]
    scaled = synergy(pd.DataFrame(scaled_rows, columns=["dose_a", "dose_b", "effect"]), method=method,
                     effect_scale="viability", dose_unit="nM")
    pd.testing.assert_series_equal(ref.scores, scaled.scores, atol=1e-6)


def test_uM_input_is_converted_and_DataArray_input_accepted():
    f = _noisy_surface(2)
    ref = synergy(table(f), method="bliss", effect_scale="viability")
    um = table(f).rename(columns={"dose_a_nM": "dose_a_uM", "dose_b_nM": "dose_b_uM"})
    um[["dose_a_uM", "dose_b_uM"]] /= 1000
    res_um = synergy(um, method="bliss", effect_scale="viability")
    xr.testing.assert_allclose(ref.excess, res_um.excess)
    da = ref.observed.copy()
    res_da = synergy(da, method="bliss", effect_scale="viability")
    xr.testing.assert_allclose(ref.excess, res_da.excess)
    assert ref.excess[ "dose_a"].attrs["units"] == "nM"


def test_result_is_labelled_and_complete():
    res = synergy(table(_noisy_surface(3)), method="loewe", effect_scale="viability")
    ds = res.to_dataset()
    assert set(ds.data_vars) == {"excess", "expected", "observed", "combination_index"}
    assert ds.attrs["null_value"] == 0.0 and "Loewe" in ds.attrs["reference"]
    assert np.isnan(res.excess.values[0, :]).all() and np.isnan(res.excess.values[:, 0]).all()
    s = res.scores
    assert s["n_cells"] == 25 and np.isfinite(s[["mean", "max_3x3", "min_3x3"]]).all()
    assert res.summary.index[0] == "loewe"


def test_replicates_are_averaged():
    f = _noisy_surface(4)
    t = table(f)
    doubled = pd.concat([t.assign(effect=t.effect + 0.01), t.assign(effect=t.effect - 0.01)])
    g = dose_grid(doubled, effect_scale="viability")
    assert g.attrs["n_replicates"] == 2
    np.testing.assert_allclose(g.values, dose_grid(t, effect_scale="viability").values)


def test_missing_monotherapy_is_an_error():
    f = _noisy_surface(5)
    no_mono = table(f, da=DOSES[1:], db=DOSES)
    with pytest.raises(InputError, match="single-drug"):
        synergy(no_mono, method="bliss", effect_scale="viability")


def test_missing_units_scale_and_holes_are_errors():
    f = _noisy_surface(6)
    t = table(f).rename(columns={"dose_a_nM": "dose_a", "dose_b_nM": "dose_b"})
    with pytest.raises(InputError, match="dose_unit"):
        synergy(t, method="bliss", effect_scale="viability")
    with pytest.raises(InputError, match="effect_scale"):
        synergy(t, method="bliss", effect_scale="percent", dose_unit="nM")
    with pytest.raises(InputError, match="method"):
        synergy(t, method="musyc", effect_scale="viability", dose_unit="nM")
    with pytest.raises(InputError, match="complete grid"):
        synergy(t.iloc[:-1], method="bliss", effect_scale="viability", dose_unit="nM")


def test_zip_needs_a_large_enough_grid():
    small = table(_noisy_surface(7), da=DOSES[:3], db=DOSES[:4])
    with pytest.raises(InputError, match="at least 3 non-zero doses"):
        synergy(small, method="zip", effect_scale="viability")
    assert np.isfinite(synergy(small, method="bliss", effect_scale="viability").scores["mean"])
