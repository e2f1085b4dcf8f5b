"""Two-drug synergy on a dose grid: Bliss, HSA, Loewe (with Chou-Talalay CI) and ZIP.

All methods work on inhibition ``I = 1 - viability`` internally (0 = no effect, higher =
stronger), whatever scale the input used, and report the excess over the expected
(non-interaction) effect, ``I_observed - I_expected``: 0 under the null, positive = synergy.
On a viability scale this equals ``V_expected - V_observed``. How to choose a method:
``docs/synergy.md``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import xarray as xr
from scipy import optimize
from numpy.lib.stride_tricks import sliding_window_view

from .._errors import InputError
from ._hill import HillFit
from ._tables import DOSE_A, DOSE_B, check_effect_scale, dose_grid, from_inhibition, to_inhibition

SYNERGY_METHODS = ("bliss", "hsa", "loewe", "zip")

REFERENCES = {
    "bliss": "Bliss CI (1939) The toxicity of poisons applied jointly. Ann Appl Biol 26:585-615.",
    "hsa": "Berenbaum MC (1989) What is synergy? Pharmacol Rev 41:93-141 (highest single agent / Gaddum's non-interaction).",
    "loewe": "Loewe S, Muischnek H (1926) Arch Exp Pathol Pharmakol 114:313-326; Loewe S (1953) "
    "Arzneimittelforschung 3:285-290. Combination index: Chou TC, Talalay P (1984) Adv Enzyme Regul 22:27-55.",
    "zip": "Yadav B, Wennerberg K, Aittokallio T, Tang J (2015) Searching for drug synergy in complex "
    "dose-response landscapes using an interaction potency model. Comput Struct Biotechnol J 13:504-513.",
}


@dataclass(frozen=True)
class SynergyResult:
    """Synergy of a two-drug dose grid under one reference model.

    Attributes
    ----------
    method : str
        'bliss', 'hsa', 'loewe' or 'zip'.
    excess : xarray.DataArray
        ``I_observed - I_expected`` per dose pair, dims ``(dose_a, dose_b)`` in nM; NaN on
        single-drug cells. Null value 0; positive = synergy.
    expected : xarray.DataArray
        The non-interaction effect on the input's effect scale (for ZIP, ``observed`` holds
        the fitted combination surface the delta score uses).
    observed : xarray.DataArray
        The measured (replicate-mean) effect on the input's effect scale.
    effect_scale : str
        'viability' or 'inhibition'.
    combination_index : xarray.DataArray or None
        Chou-Talalay CI (Loewe only): 1 = additive, < 1 synergy, > 1 antagonism; NaN where
        undefined (observed inhibition <= 0 or >= 1).
    single_fits : dict
        Fitted single-drug curves used by the method (``{'a': HillFit, 'b': HillFit}``;
        empty for Bliss and HSA, which use the measured monotherapy).
    """

    method: str
    excess: xr.DataArray
    expected: xr.DataArray
    observed: xr.DataArray
    effect_scale: str
    combination_index: xr.DataArray | None = None
    single_fits: dict = field(default_factory=dict)
    null_value: float = 0.0
    direction: str = "positive = synergy"
    reference: str = ""

    @property
    def combination_cells(self) -> xr.DataArray:
        """Excess restricted to cells where both doses are non-zero."""
        return self.excess.isel({DOSE_A: slice(1, None), DOSE_B: slice(1, None)})

    @property
    def scores(self) -> pd.Series:
        """Summary over combination cells: mean, most synergistic / antagonistic 3x3 area, extremes."""
        comb = self.combination_cells.values
        out = {"mean": float(np.nanmean(comb)), "max": float(np.nanmax(comb)), "min": float(np.nanmin(comb)),
               "max_3x3": np.nan, "min_3x3": np.nan, "n_cells": int(np.isfinite(comb).sum())}
        if comb.shape[0] >= 3 and comb.shape[1] >= 3:
            win = sliding_window_view(comb, (3, 3)).mean(axis=(-1, -2))
            out["max_3x3"], out["min_3x3"] = float(np.nanmax(win)), float(np.nanmin(win))
        if self.combination_index is not None:
            ci = self.combination_index.isel({DOSE_A: slice(1, None), DOSE_B: slice(1, None)}).values
            out["ci_median"] = float(np.nanmedian(ci)) if np.isfinite(ci).any() else np.nan
        s = pd.Series(out, name=self.method)
        s.attrs.update({"null_value": self.null_value, "direction": self.direction, "units": "1 (fraction of control)"})
        return s

    @property
    def summary(self) -> pd.DataFrame:
        """One-row table: method, null value, direction and the scores."""
        row = {"method": self.method, "null_value": self.null_value, "direction": self.direction,
               "effect_scale": self.effect_scale, **self.scores.to_dict()}
        return pd.DataFrame([row]).set_index("method")

    def to_dataset(self) -> xr.Dataset:
        """All surfaces as one Dataset (attrs: method, null value, direction, reference)."""
        data = {"excess": self.excess, "expected": self.expected, "observed": self.observed}
        if self.combination_index is not None:
            data["combination_index"] = self.combination_index
        ds = xr.Dataset(data)
        ds.attrs.update({"method": self.method, "null_value": self.null_value, "direction": self.direction,
                         "effect_scale": self.effect_scale, "reference": self.reference})
        return ds


# -- helpers ------------------------------------------------------------------------------
def _mono(inh: xr.DataArray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    a = inh[DOSE_A].values
    b = inh[DOSE_B].values
    return a, b, inh.isel({DOSE_B: 0}).values, inh.isel({DOSE_A: 0}).values


def _surface(values: np.ndarray, like: xr.DataArray, name: str, units: str = "1") -> xr.DataArray:
    return xr.DataArray(values, dims=like.dims, coords=like.coords, name=name, attrs={"units": units})


def _mask_mono(excess: np.ndarray) -> np.ndarray:
    out = np.array(excess, float)
    out[0, :] = np.nan
    out[:, 0] = np.nan
    return out


def _fit_single(dose: np.ndarray, inh: np.ndarray, **kw) -> HillFit:
    return HillFit(fix_e0=0.0, **kw).fit(dose, inh)


def _loewe_expected(a: float, b: float, fa: HillFit, fb: HillFit) -> float:
    """Solve a / D_a(I) + b / D_b(I) = 1 for I (Loewe additivity) with fitted Hill curves."""
    ea, eb = fa.einf_, fb.einf_
    top = max(ea, eb)
    if top <= 0:
        return np.nan

    def dose_for(fit: HillFit, emax: float, i: float) -> float:
        if i >= emax:
            return np.inf
        return fit.ec50_ * (i / (emax - i)) ** (1.0 / fit.hill_)

    def g(i: float) -> float:
        s = (a / dose_for(fa, ea, i) if a > 0 else 0.0) + (b / dose_for(fb, eb, i) if b > 0 else 0.0)
        return np.log(s) if s > 0 else -np.inf

    lo, hi = top * 1e-12, top * (1 - 1e-12)
    if g(hi) > 0:  # the combination needs more than either drug can give: effect tends to top
        return top
    return float(optimize.brentq(g, lo, hi, xtol=1e-14, rtol=1e-12, maxiter=500))


def _median_effect(dose: np.ndarray, inh: np.ndarray) -> tuple[float, float]:
    """Chou-Talalay median-effect fit: log(fa/fu) = m log D - m log Dm (linear regression)."""
    keep = (dose > 0) & (inh > 0) & (inh < 1)
    if keep.sum() < 2:
        return np.nan, np.nan
    x = np.log(dose[keep])
    y = np.log(inh[keep] / (1 - inh[keep]))
    m, c = np.polyfit(x, y, 1)
    return float(m), float(np.exp(-c / m))


# -- methods ------------------------------------------------------------------------------
def _bliss(obs: xr.DataArray) -> tuple[np.ndarray, dict]:
    _, _, ia, ib = _mono(obs)
    exp = ia[:, None] + ib[None, :] - ia[:, None] * ib[None, :]
    return exp, {}


def _hsa(obs: xr.DataArray) -> tuple[np.ndarray, dict]:
    _, _, ia, ib = _mono(obs)
    return np.maximum(ia[:, None], ib[None, :]), {}


def _loewe(obs: xr.DataArray) -> tuple[np.ndarray, dict, np.ndarray]:
    a, b, ia, ib = _mono(obs)
    fa = _fit_single(a, ia, einf_bounds=(0.0, 1.0))
    fb = _fit_single(b, ib, einf_bounds=(0.0, 1.0))
    exp = np.array(obs.values, float)
    for i, ai in enumerate(a):
        for j, bj in enumerate(b):
            if ai > 0 and bj > 0:
                exp[i, j] = _loewe_expected(ai, bj, fa, fb)
    # Chou-Talalay combination index from median-effect fits of the monotherapy
    ma, dma = _median_effect(a, ia)
    mb, dmb = _median_effect(b, ib)
    ci = np.full(exp.shape, np.nan)
    fobs = obs.values
    with np.errstate(divide="ignore", invalid="ignore"):
        for i, ai in enumerate(a):
            for j, bj in enumerate(b):
                f = fobs[i, j]
                if ai > 0 and bj > 0 and 0 < f < 1:
                    dxa = dma * (f / (1 - f)) ** (1 / ma)
                    dxb = dmb * (f / (1 - f)) ** (1 / mb)
                    ci[i, j] = ai / dxa + bj / dxb
    fits = {"a": fa, "b": fb, "median_effect": {"a": {"m": ma, "Dm_nM": dma}, "b": {"m": mb, "Dm_nM": dmb}}}
    return exp, fits, ci


def _zip(obs: xr.DataArray) -> tuple[np.ndarray, dict, np.ndarray]:
    a, b, ia, ib = _mono(obs)
    na, nb = (a > 0).sum(), (b > 0).sum()
    if na < 3 or nb < 3:
        raise InputError(
            "data", f"{na} non-zero doses of drug A and {nb} of drug B",
            "ZIP needs at least 3 non-zero doses of each drug (a grid of at least 4 x 4 with the zero-dose "
            "row and column): every row and column of the combination is fitted with 2 free parameters",
        )
    # single drugs: log-logistic with E_min = 0 and E_max = 1 (Yadav 2015; SynergyFinder defaults)
    fa = HillFit(fix_e0=0.0, fix_einf=1.0).fit(a, ia)
    fb = HillFit(fix_e0=0.0, fix_einf=1.0).fit(b, ib)
    ya, yb = fa.predict(a), fb.predict(b)
    ya[0], yb[0] = 0.0, 0.0
    y = obs.values
    rowfit = np.full(y.shape, np.nan)
    colfit = np.full(y.shape, np.nan)
    # along drug A at fixed dose b_j: E_min fixed at the fitted effect of B alone, E_max = 1
    for j in range(1, b.size):
        f = HillFit(fix_e0=float(yb[j]), fix_einf=1.0).fit(a[1:], y[1:, j])
        colfit[1:, j] = f.predict(a[1:])
    for i in range(1, a.size):
        f = HillFit(fix_e0=float(ya[i]), fix_einf=1.0).fit(b[1:], y[i, 1:])
        rowfit[i, 1:] = f.predict(b[1:])
    fitted = np.minimum((rowfit + colfit) / 2, 1.0)
    exp = ya[:, None] + yb[None, :] - ya[:, None] * yb[None, :]
    return exp, {"a": fa, "b": fb}, fitted


def synergy(data: pd.DataFrame | xr.DataArray, *, method: str, effect_scale: str,
            dose_unit: str | None = None, effect_column: str = "effect") -> SynergyResult:
    """Score drug interaction on a two-drug dose grid.

    Parameters
    ----------
    data : pandas.DataFrame or xarray.DataArray
        Tidy table with ``dose_a``, ``dose_b``, ``effect`` (one row per well; replicates are
        averaged) or a DataArray with dims ``(dose_a, dose_b)``. Must contain the single-drug
        wells (``dose_b == 0`` and ``dose_a == 0``) and the untreated well; see
        :func:`mtorsim.response.dose_grid`.
    method : {'bliss', 'hsa', 'loewe', 'zip'}
        Reference (non-interaction) model:

        * ``'bliss'`` (Bliss 1939): independent action, ``I_exp = I_a + I_b - I_a I_b``
          (``V_exp = V_a V_b``), from the measured monotherapy.
        * ``'hsa'`` (highest single agent; Berenbaum 1989): ``I_exp = max(I_a, I_b)``.
        * ``'loewe'`` (Loewe 1926, 1953): ``I_exp`` solves ``a/D_a(I) + b/D_b(I) = 1`` with
          ``D_x`` the inverse of a Hill curve fitted to drug x alone (E0 = 0, Emax in
          [0, 1]); also the Chou-Talalay (1984) combination index
          ``CI = a/D_{x,a} + b/D_{x,b}`` at the observed effect, from median-effect fits
          ``f_a/f_u = (D/D_m)^m`` of the monotherapy.
        * ``'zip'`` (Yadav et al. 2015): delta score, the mean of row-wise and column-wise
          log-logistic fits of the combination (lower asymptote fixed at the fitted single
          drug's effect, upper at 1) minus ``y_a + y_b - y_a y_b`` of the fitted single drugs.
    effect_scale : {'viability', 'inhibition'}
        Scale of ``effect``: viability (fraction of control, lower = stronger) or inhibition
        (``1 - viability``).
    dose_unit : str, optional
        Unit of unit-less dose columns (pM, nM, uM, mM, M); results are in nM.

    Returns
    -------
    SynergyResult
        Excess surface (null 0, positive = synergy), expected and observed surfaces,
        summary scores over combination cells, and the combination index for Loewe.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> d = np.array([0, 1, 10, 100])
    >>> va, vb = 1 / (1 + d / 10), 1 / (1 + d / 30)
    >>> grid = pd.DataFrame([(x, y, va[i] * vb[j]) for i, x in enumerate(d) for j, y in enumerate(d)],
    ...                     columns=["dose_a_nM", "dose_b_nM", "effect"])
    >>> bool(abs(synergy(grid, method="bliss", effect_scale="viability").scores["mean"]) < 1e-12)
    True
    """
    if method not in SYNERGY_METHODS:
        raise InputError("method", method, f"one of {', '.join(SYNERGY_METHODS)}")
    check_effect_scale(effect_scale)
    obs_scale = dose_grid(data, effect_scale=effect_scale, dose_unit=dose_unit, effect_column=effect_column)
    inh = to_inhibition(obs_scale, effect_scale)
    ci = None
    fits: dict = {}
    observed_for_excess = inh.values
    if method == "bliss":
        exp, fits = _bliss(inh)
    elif method == "hsa":
        exp, fits = _hsa(inh)
    elif method == "loewe":
        exp, fits, ci_arr = _loewe(inh)
        ci = _surface(_mask_mono(ci_arr), inh, "combination_index")
        ci.attrs.update({"null_value": 1.0, "direction": "below 1 = synergy"})
    else:
        exp, fits, fitted = _zip(inh)
        observed_for_excess = fitted
    excess = _mask_mono(observed_for_excess - exp)
    ex = _surface(excess, inh, "excess")
    ex.attrs.update({"method": method, "null_value": 0.0, "direction": "positive = synergy",
                     "definition": "inhibition observed - inhibition expected"})
    expected = _surface(from_inhibition(exp, effect_scale), inh, "expected")
    expected.attrs["effect_scale"] = effect_scale
    if method == "zip":
        observed = _surface(from_inhibition(_mask_mono(observed_for_excess), effect_scale), inh, "observed")
        observed.attrs.update({"effect_scale": effect_scale, "note": "ZIP-fitted combination surface"})
    else:
        observed = obs_scale.rename("observed")
    return SynergyResult(method=method, excess=ex, expected=expected, observed=observed, effect_scale=effect_scale,
                         combination_index=ci, single_fits=fits, reference=REFERENCES[method])


def isobole(fit_a: HillFit, fit_b: HillFit, level: float, n: int = 50) -> pd.DataFrame:
    """Loewe-additive isobole at inhibition ``level``: doses (nM) with a/D_a + b/D_b = 1.

    ``fit_a``/``fit_b`` are Hill fits on the inhibition scale (``SynergyResult.single_fits``
    of a Loewe result). Returns an empty table when a drug never reaches ``level``.
    """
    da = float(fit_a.inverse(level))
    db = float(fit_b.inverse(level))
    if not (np.isfinite(da) and np.isfinite(db)):
        return pd.DataFrame({f"{DOSE_A}_nM": [], f"{DOSE_B}_nM": []})
    t = np.linspace(0, 1, n)
    return pd.DataFrame({f"{DOSE_A}_nM": da * (1 - t), f"{DOSE_B}_nM": db * t})

