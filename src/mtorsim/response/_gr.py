"""Growth-rate inhibition (GR) values and metrics (Hafner, Niepel, Chung & Sorger 2016).

GR value of a treated well (Hafner et al. 2016, Nat Methods 13:521, Online Methods, eq. 1):

.. math:: GR(c) = 2^{\\log_2(x(c)/x_0) / \\log_2(x_{ctrl}/x_0)} - 1

with ``x(c)`` the cell count after treatment at concentration ``c``, ``x_0`` the count at the
time of treatment and ``x_ctrl`` the untreated (vehicle) count at the end of the assay.
GR = 1: no effect; 0: complete cytostasis; < 0: cell killing (>= -1).

Fitted curve (same paper, eq. 2):

.. math:: GR(c) = GR_\\infty + \\frac{1 - GR_\\infty}{1 + (c / GEC_{50})^{h_{GR}}}

Metrics and fitting rules follow the reference implementation, GRmetrics
(datarail/gr_metrics ``SRC/R/GRmetrics/R/GRfunctions.R``, functions ``.GRcalculate`` and
``.GRlogisticFit``; the same rules in ``SRC/python/gr50/__init__.py``):

* fit bounds: ``h_GR`` in [0.1, 5], ``GR_inf`` in [-1, 1], ``GEC50`` in
  [min(c)/100, max(c)*100]; starting values h = 2, GR_inf = 0.1, GEC50 = median(c);
* F-test of the sigmoid against a flat line at the mean GR value: RSS_flat = sum of squares
  about the mean, df1 = 3 - 1 = 2, df2 = n - 3 + 1 (GRmetrics' choice); when p >= 0.05
  (or the fit fails) the flat fit is reported: GEC50 = 0, h_GR = 0.01, GR_inf = mean GR,
  GR50 = +inf if that mean > 0.5 else -inf;
* GR50 = GEC50 ((1 - GR_inf)/(0.5 - GR_inf) - 1)^(1/h_GR); +/-inf (by the mean GR) when the
  curve never crosses 0.5;
* GRmax = the lowest GR value observed at the two highest tested concentrations;
* GR_AOC = trapezoid area of (1 - mean GR per concentration) over log10(c), divided by the
  log10 width of the tested range.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from .._errors import InputError
from ._hill import (
    ABOVE_RANGE,
    BELOW_RANGE,
    FitConvergenceError,
    HillFit,
    hill_curve,
)
from ._tables import (
    CELL_COUNT,
    CELL_COUNT_CTRL,
    CELL_COUNT_TIME0,
    CONC_UNIT,
    GR_VALUE,
    concentrations_nM,
    finite_effects,
    unit_factor,
)

GR_NOT_REACHED = "not reached (GR > 0.5)"
GR_BELOW_AT_ALL_DOSES = "below 0.5 at all doses"


def gr_values(cell_count, cell_count_ctrl, cell_count_time0) -> np.ndarray:
    """GR values from end-point cell counts (Hafner et al. 2016, eq. 1).

    .. math:: GR = 2^{\\log_2(x/x_0)/\\log_2(x_{ctrl}/x_0)} - 1

    Parameters
    ----------
    cell_count : array_like
        Treated cell counts ``x(c)`` at the end of the assay (> 0).
    cell_count_ctrl : array_like
        Untreated (vehicle) counts ``x_ctrl`` at the end of the assay, broadcast to ``cell_count``.
    cell_count_time0 : array_like
        Counts ``x_0`` at the time of treatment.

    Returns
    -------
    numpy.ndarray
        GR values (dimensionless, between -1 and about 1).

    Raises
    ------
    InputError
        Non-positive counts, or controls that did not grow (``x_ctrl <= x_0``: GR undefined).

    Examples
    --------
    >>> float(gr_values(1710, 1766.0, 492.8).round(6))  # the gr50_tools docstring example
    0.965306
    """
    x, xc, x0 = (np.asarray(v, dtype=float) for v in (cell_count, cell_count_ctrl, cell_count_time0))
    x, xc, x0 = np.broadcast_arrays(x, xc, x0)
    for name, v in (("cell_count", x), ("cell_count__ctrl", xc), ("cell_count__time0", x0)):
        if not (np.isfinite(v) & (v > 0)).all():
            raise InputError(name, v[~(np.isfinite(v) & (v > 0))][:5].tolist(), "finite, positive cell counts")
    if (xc <= x0).any():
        raise InputError("cell_count__ctrl", xc[xc <= x0][:5].tolist(),
                         "controls that grew during the assay (x_ctrl > x_0); GR is undefined otherwise")
    return np.exp2(np.log2(x / x0) / np.log2(xc / x0)) - 1.0


def compute_gr(data: pd.DataFrame) -> pd.DataFrame:
    """Add a ``GRvalue`` column to a GRmetrics 'case A' table.

    Parameters
    ----------
    data : pandas.DataFrame
        Columns ``cell_count``, ``cell_count__ctrl`` and ``cell_count__time0`` (any other
        columns, concentrations included, are kept as they are).

    Returns
    -------
    pandas.DataFrame
        A copy with ``GRvalue`` appended.
    """
    missing = [c for c in (CELL_COUNT, CELL_COUNT_CTRL, CELL_COUNT_TIME0) if c not in data.columns]
    if missing:
        raise InputError("columns", missing, "cell_count, cell_count__ctrl and cell_count__time0")
    if GR_VALUE in data.columns:
        raise InputError("columns", GR_VALUE, "a table without a GRvalue column (it would be overwritten)")
    out = data.copy()
    out[GR_VALUE] = gr_values(data[CELL_COUNT], data[CELL_COUNT_CTRL], data[CELL_COUNT_TIME0])
    return out


def gr_curve(conc, *, grinf: float, gec50: float, hill: float) -> np.ndarray:
    """Evaluate :math:`GR(c) = GR_\\infty + (1 - GR_\\infty)/(1 + (c/GEC_{50})^{h})` (Hafner 2016, eq. 2).

    ``gec50 == 0`` (the GRmetrics flat-fit convention) gives the constant ``grinf``.
    """
    if gec50 == 0:
        return np.full(np.shape(np.asarray(conc, float)), float(grinf))
    return hill_curve(conc, e0=1.0, einf=grinf, ec50=gec50, hill=hill)


def gr50_from_params(grinf: float, gec50: float, hill: float, *, flat_value: float | None = None) -> float:
    """GR50 from fitted parameters, as GRmetrics computes it.

    .. math:: GR_{50} = GEC_{50} \\left(\\frac{1 - GR_\\infty}{0.5 - GR_\\infty} - 1\\right)^{1/h}

    Returns +inf when the curve never falls to 0.5 (``GR_inf >= 0.5``) and, for a flat fit
    (``gec50 == 0``), +inf or -inf as ``flat_value`` (the mean GR) is above or below 0.5.
    """
    if gec50 == 0:
        level = grinf if flat_value is None else flat_value
        return np.inf if level > 0.5 else -np.inf
    if grinf >= 0.5:
        return np.inf
    return float(gec50 * ((1 - grinf) / (0.5 - grinf) - 1) ** (1.0 / hill))


def _mean_by_conc(conc: np.ndarray, gr: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    s = pd.Series(gr).groupby(conc).mean()
    return s.index.to_numpy(float), s.to_numpy(float)


def gr_aoc(conc, gr) -> float:
    """GR area over the curve, as GRmetrics defines it.

    .. math:: GR_{AOC} = \\frac{\\sum_j \\left(1 - \\frac{\\overline{GR}_j + \\overline{GR}_{j+1}}{2}\\right)
       (\\log_{10} c_{j+1} - \\log_{10} c_j)}{\\log_{10} c_{max} - \\log_{10} c_{min}}

    over the tested (non-zero) concentrations ``c_j`` with replicate means ``GR_j``.
    Unitless; 0 = no effect, 1 = cytostasis at every dose, up to 2.
    """
    c = np.asarray(conc, float)
    g = np.asarray(gr, float)
    keep = c > 0
    cu, gm = _mean_by_conc(c[keep], g[keep])
    if cu.size < 2:
        raise InputError("conc", cu.tolist(), "at least 2 distinct non-zero concentrations")
    x = np.log10(cu)
    return float(np.sum((1 - (gm[:-1] + gm[1:]) / 2) * np.diff(x)) / (x[-1] - x[0]))


def gr_max(conc, gr) -> float:
    """GRmax as GRmetrics defines it: the lowest GR value at the two highest concentrations."""
    c = np.asarray(conc, float)
    g = np.asarray(gr, float)
    top = np.unique(c[c > 0])[-2:]
    return float(np.min(g[np.isin(c, top)]))


class GRFit:
    """Fit a GR dose-response curve and compute GR metrics exactly as GRmetrics does.

    .. math:: GR(c) = GR_\\infty + \\frac{1 - GR_\\infty}{1 + (c / GEC_{50})^{h_{GR}}}

    Parameters
    ----------
    conc_unit : str
        Unit of the concentrations given to :meth:`fit` ('nM', 'uM', ...); fitted
        concentrations are reported in nM.
    alpha : float
        Significance level of the F-test of the sigmoid against a flat line (GRmetrics:
        0.05). A sigmoid with p >= alpha is replaced by the flat fit.

    Other Parameters
    ----------------
    force_sigmoid : bool
        Keep the sigmoid whatever the F-test says (GRmetrics ``force=TRUE``).
    confidence : float
        Level of the covariance-based confidence intervals in :attr:`summary`.

    Attributes
    ----------
    fit_type_ : {'sigmoid', 'flat'}
        Which model the F-test kept.
    grinf_ : float
        GR at infinite dose (the flat value for a flat fit).
    gec50_ : float
        Midpoint concentration (nM); 0 for a flat fit (GRmetrics convention).
    hill_ : float
        Hill slope h_GR; 0.01 for a flat fit (GRmetrics convention).
    gr50_ : float
        Concentration (nM) where GR = 0.5; NaN when outside the tested range or never
        reached (``censoring_['gr50']`` says which). The GRmetrics value, infinities and
        extrapolations included, is in :meth:`to_grmetrics`.
    gr_max_, gr_aoc_ : float
        Observed GRmax and GR_AOC (see module docstring).
    r2_, pval_ : float
        R² of the sigmoid and the F-test p-value.
    flat_value_ : float
        Mean GR value (the flat fit).
    censoring_ : pandas.Series
        Range flags of the reported metrics.
    sigmoid_ : HillFit or None
        The underlying sigmoid fit (e0 fixed at 1).
    summary : pandas.DataFrame
        Estimates, confidence intervals (covariance of the sigmoid fit, delta method for
        GR50; none for the observed GRmax/GR_AOC or for a flat fit), units and flags.

    References
    ----------
    Hafner M, Niepel M, Chung M, Sorger PK (2016) Growth rate inhibition metrics correct for
    confounders in measuring sensitivity to cancer drugs. Nat Methods 13:521-527.
    Clark NA et al. (2017) GRcalculator: an online tool for calculating and mining
    dose-response data. BMC Cancer 17:698 (GRmetrics R package).

    Examples
    --------
    >>> import numpy as np
    >>> c = np.logspace(-3, 1, 9)  # uM
    >>> g = gr_curve(c, grinf=-0.2, gec50=0.1, hill=1.5)
    >>> fit = GRFit(conc_unit="uM").fit(c, g)
    >>> fit.fit_type_, round(fit.gec50_, 3)
    ('sigmoid', 100.0)
    """

    def __init__(self, *, conc_unit: str = CONC_UNIT, alpha: float = 0.05, force_sigmoid: bool = False,
                 confidence: float = 0.95):
        self.conc_unit = conc_unit
        self.alpha = alpha
        self.force_sigmoid = force_sigmoid
        self.confidence = confidence

    def fit(self, conc, gr) -> GRFit:
        """Fit GR values (replicates as repeated concentrations) and compute the metrics.

        Parameters
        ----------
        conc : array_like
            Concentrations in ``conc_unit`` (> 0; untreated wells are the control, not data).
        gr : array_like
            GR values, one per concentration (see :func:`gr_values`).

        Returns
        -------
        GRFit
            ``self``.
        """
        unit_factor(self.conc_unit, field="conc_unit")
        if not 0 < self.alpha < 1:
            raise InputError("alpha", self.alpha, "a significance level strictly between 0 and 1")
        c = concentrations_nM(conc, unit=self.conc_unit, field="conc")
        g = finite_effects(gr, n=c.size, field="gr")
        if (c <= 0).any():
            raise InputError("conc", c[c <= 0][:3].tolist(), "positive concentrations (controls enter through the GR value)")
        if np.unique(c).size < 3:
            raise InputError("conc", np.unique(c).tolist(), "at least 3 distinct concentrations")
        self.conc_range_ = (float(c.min()), float(c.max()))
        self.n_obs_ = int(c.size)
        self.gr_max_ = gr_max(c, g)
        self.gr_aoc_ = gr_aoc(c, g)
        self.flat_value_ = float(g.mean())

        sig = HillFit(fix_e0=1.0, einf_bounds=(-1.0, 1.0), hill_bounds=(0.1, 5.0), ec50_decades=2.0,
                      level=0.5, confidence=self.confidence, on_failure="raise")
        try:
            sig.fit(c, g)
        except FitConvergenceError:
            sig = None
        rss_flat = float(((g - g.mean()) ** 2).sum())
        if sig is not None:
            rss_sig = sig.rss_
            df1, df2 = 3 - 1, c.size - 3 + 1
            with np.errstate(divide="ignore", invalid="ignore"):
                f = ((rss_flat - rss_sig) / df1) / (rss_sig / df2)
            self.pval_ = float(stats.f.sf(f, df1, df2)) if np.isfinite(f) else (0.0 if rss_sig == 0 else 1.0)
            self.r2_ = 1 - rss_sig / rss_flat if rss_flat > 0 else np.nan
        else:
            self.pval_, self.r2_ = np.nan, np.nan
        cutoff = 1.0 if self.force_sigmoid else self.alpha
        if sig is None or not (self.pval_ < cutoff):
            self.fit_type_ = "flat"
            self.grinf_, self.gec50_, self.hill_ = self.flat_value_, 0.0, 0.01
        else:
            self.fit_type_ = "sigmoid"
            self.grinf_, self.gec50_, self.hill_ = sig.einf_, sig.ec50_, sig.hill_
        self.sigmoid_ = sig
        self._gr50_raw = gr50_from_params(self.grinf_, self.gec50_, self.hill_, flat_value=self.flat_value_)
        if self.fit_type_ == "sigmoid" and self.grinf_ >= 0.5:
            # GRmetrics: a sigmoid that never crosses 0.5 takes +/-inf by the mean GR value
            self._gr50_raw = np.inf if self.flat_value_ > 0.5 else -np.inf
        lo, hi = self.conc_range_
        raw = self._gr50_raw
        if raw == np.inf:
            flag = GR_NOT_REACHED
        elif raw == -np.inf:
            flag = GR_BELOW_AT_ALL_DOSES
        elif raw > hi:
            flag = ABOVE_RANGE
        elif raw < lo:
            flag = BELOW_RANGE
        else:
            flag = ""
        self.gr50_ = float(raw) if flag == "" else np.nan
        gec_flag = "flat fit" if self.fit_type_ == "flat" else (
            ABOVE_RANGE if self.gec50_ > hi else BELOW_RANGE if self.gec50_ < lo else "")
        self.censoring_ = pd.Series({"grinf": "", "gec50": gec_flag, "hill": "flat fit" if self.fit_type_ == "flat" else "",
                                     "gr50": flag, "gr_max": "", "gr_aoc": ""}, name="flag")
        return self

    def _check_fitted(self) -> None:
        if not hasattr(self, "fit_type_"):
            raise RuntimeError("this GRFit is not fitted yet; call fit(conc, gr) first")

    def predict(self, conc) -> np.ndarray:
        """Fitted GR value at ``conc`` (in ``conc_unit``)."""
        self._check_fitted()
        c = concentrations_nM(conc, unit=self.conc_unit, field="conc")
        return gr_curve(c, grinf=self.grinf_, gec50=self.gec50_, hill=self.hill_)

    def to_grmetrics(self) -> pd.Series:
        """The metrics under GRmetrics' names and conventions, concentrations in ``conc_unit``.

        GR50 may be +/-inf or an extrapolation beyond the tested doses here, exactly as
        GRmetrics reports it; use :attr:`gr50_` and :attr:`censoring_` for analysis.
        """
        self._check_fitted()
        f = unit_factor(self.conc_unit)
        s = pd.Series({"GR50": self._gr50_raw / f, "GRmax": self.gr_max_, "GR_AOC": self.gr_aoc_,
                       "GEC50": self.gec50_ / f, "GRinf": self.grinf_, "h_GR": self.hill_, "r2": self.r2_,
                       "pval": self.pval_, "fit": self.fit_type_, "flat_fit": self.flat_value_ if self.fit_type_ == "flat" else np.nan})
        s.attrs["conc_unit"] = self.conc_unit
        return s

    @property
    def summary(self) -> pd.DataFrame:
        """Estimates with confidence intervals (sigmoid fits), units and range flags."""
        self._check_fitted()
        ci = {k: (np.nan, np.nan) for k in ("grinf", "gec50", "hill", "gr50", "gr_max", "gr_aoc")}
        if self.fit_type_ == "sigmoid":
            sci = self.sigmoid_._ci
            ci.update({"grinf": sci["einf"], "gec50": sci["ec50"], "hill": sci["hill"]})
            if self.censoring_["gr50"] == "":
                ci["gr50"] = sci["ic50"]
        est = {"grinf": self.grinf_, "gec50": self.gec50_, "hill": self.hill_, "gr50": self.gr50_,
               "gr_max": self.gr_max_, "gr_aoc": self.gr_aoc_}
        units = {"grinf": "1", "gec50": CONC_UNIT, "hill": "1", "gr50": CONC_UNIT, "gr_max": "1", "gr_aoc": "1"}
        df = pd.DataFrame({"estimate": est, "ci_lower": {k: v[0] for k, v in ci.items()},
                           "ci_upper": {k: v[1] for k, v in ci.items()}, "unit": units,
                           "flag": self.censoring_.to_dict()})
        df.index.name = "quantity"
        df.attrs.update({"model": "GR sigmoid (Hafner 2016) with GRmetrics F-test", "fit": self.fit_type_,
                         "pval": self.pval_, "r2": self.r2_, "ci_method": "covariance (sigmoid fit only)",
                         "confidence": self.confidence, "n_obs": self.n_obs_, "tested_range_nM": self.conc_range_})
        return df
