"""Four-parameter log-logistic (Hill) dose-response fit.

.. math::

    E(c) = E_\\infty + \\frac{E_0 - E_\\infty}{1 + (c / EC_{50})^{h}}

the LL.4 model of Ritz et al. 2015 (PLoS ONE 10:e0146021, R package ``drc``), also called the
Hill equation (Hill 1910, J Physiol 40:iv). ``c`` is the concentration (nM), ``E_0`` the effect
without drug, ``E_inf`` the effect at infinite dose, ``EC_50`` the concentration of the
half-maximal effect (relative midpoint) and ``h`` the Hill slope (> 0).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from scipy import optimize, stats

from .._errors import InputError
from ._tables import CONC_UNIT, concentrations_nM, finite_effects, unit_factor


class FitConvergenceWarning(RuntimeWarning):
    """A dose-response fit did not converge; its estimates should not be used."""


class FitConvergenceError(RuntimeError):
    """A dose-response fit did not converge and the estimator was asked to raise."""


# flags used in summaries for range-limited values
ABOVE_RANGE = ">max dose"
BELOW_RANGE = "<min dose"
NOT_REACHED = "not reached"


def hill_curve(conc, *, e0: float, einf: float, ec50: float, hill: float) -> np.ndarray:
    """Evaluate :math:`E(c) = E_\\infty + (E_0 - E_\\infty)/(1 + (c/EC_{50})^h)`.

    Parameters
    ----------
    conc : array_like
        Concentrations (same unit as ``ec50``; nM inside mtorsim), >= 0.
    e0, einf : float
        Effect at zero and at infinite concentration.
    ec50 : float
        Concentration of the half-maximal effect, > 0.
    hill : float
        Hill slope, > 0.
    """
    c = np.asarray(conc, dtype=float)
    with np.errstate(divide="ignore", over="ignore"):
        x = np.power(c / ec50, hill)
    return einf + (e0 - einf) / (1.0 + x)


def inverse_hill(effect, *, e0: float, einf: float, ec50: float, hill: float) -> np.ndarray:
    """Concentration at which the Hill curve takes ``effect``; NaN where it never does.

    .. math:: c = EC_{50} \\left(\\frac{E_0 - E}{E - E_\\infty}\\right)^{1/h}
    """
    e = np.asarray(effect, dtype=float)
    lo, hi = min(e0, einf), max(e0, einf)
    inside = (e > lo) & (e < hi)
    with np.errstate(divide="ignore", invalid="ignore"):
        c = ec50 * np.power((e0 - e) / (e - einf), 1.0 / hill)
    return np.where(inside, c, np.where(e == e0, 0.0, np.nan))


def _log_area(fun, lo: float, hi: float, n: int = 513) -> float:
    """Mean of ``fun`` over log10 concentration in [lo, hi] (trapezoid on a fine grid)."""
    if not (hi > lo > 0):
        return np.nan
    x = np.linspace(np.log10(lo), np.log10(hi), n)
    y = fun(10.0**x)
    return float(np.trapezoid(y, x) / (x[-1] - x[0]))


class HillFit:
    """Fit a four-parameter log-logistic (Hill) curve to effect versus concentration.

    .. math:: E(c) = E_\\infty + \\frac{E_0 - E_\\infty}{1 + (c / EC_{50})^{h}}

    Works for any effect (viability, inhibition, a phospho-readout). Least squares with
    bounds (scipy ``least_squares``, trust-region reflective), from several starting slopes;
    ``log10(EC50)`` is the fitted coordinate, so rescaling every dose leaves the fit unchanged.

    Parameters
    ----------
    conc_unit : str
        Unit of the concentrations passed to :meth:`fit` and :meth:`predict` ('nM', 'uM', ...).
        Fitted concentrations (``ec50_``, ``ic50_``) are always in nM.
    level : float
        Absolute effect level that defines ``ic50_`` (0.5: half of an untreated viability of 1).
    fix_e0 : float, optional
        Fix ``E_0`` (e.g. 1 for viability normalised to control); None fits it.
    fix_einf : float, optional
        Fix ``E_inf`` (e.g. 0 for a full-efficacy drug); None fits it.
    hill_bounds : (float, float)
        Allowed Hill slopes.
    einf_bounds : (float, float)
        Allowed ``E_inf`` (default unbounded).
    ci_method : {'covariance', 'bootstrap'}
        Confidence intervals from the asymptotic covariance ``s^2 (J^T J)^{-1}`` with
        Student-t quantiles (delta method for derived metrics), or from a residual bootstrap.
    confidence : float
        Confidence level of the intervals.

    Other Parameters
    ----------------
    ec50_decades : float
        ``EC50`` is bounded to the tested range widened by this many decades on each side.
    n_bootstrap : int
        Bootstrap resamples (``ci_method='bootstrap'``).
    random_state : int, optional
        Seed of the bootstrap.
    on_failure : {'warn', 'raise'}
        Non-convergence emits :class:`FitConvergenceWarning` (and sets ``status_='failed'``)
        or raises :class:`FitConvergenceError`.

    Attributes
    ----------
    e0_, einf_ : float
        Fitted effect at zero / infinite concentration.
    ec50_ : float
        Relative midpoint (nM). May lie outside the tested range: see ``summary`` flags.
    hill_ : float
        Hill slope.
    ic50_ : float
        Concentration (nM) where the fitted curve crosses ``level``. NaN when that lies
        beyond the tested doses or is never reached; ``censoring_['ic50']`` says which
        ('>max dose', '<min dose', 'not reached'). Never extrapolated.
    emax_ : float
        Fitted effect at the highest tested concentration (not the asymptote ``einf_``).
    auc_ : float
        Mean of the fitted curve over log10 concentration between the lowest non-zero and
        highest tested dose (area normalised by the log10 width; 1 = no effect on a
        viability scale).
    params_ : pandas.Series
        ``e0, einf, ec50, hill``.
    covariance_ : pandas.DataFrame
        Covariance of ``e0, einf, log10_ec50, hill`` (fixed parameters have zero rows).
    rss_, r2_ : float
        Residual sum of squares and coefficient of determination.
    censoring_ : pandas.Series
        Flag per reported metric ('' when inside the tested range).
    status_ : str
        'converged' or 'failed'; ``message_`` has the optimiser's message.
    summary : pandas.DataFrame
        One row per parameter/metric: estimate, ci_lower, ci_upper, unit, flag; the
        attrs record ci_method, confidence, status, n_obs.

    References
    ----------
    Ritz C, Baty F, Streibig JC, Gerhard D (2015) Dose-response analysis using R. PLoS ONE
    10:e0146021. Hill AV (1910) J Physiol 40:iv-vii.

    Examples
    --------
    >>> import numpy as np
    >>> c = np.logspace(0, 4, 9)  # nM
    >>> v = hill_curve(c, e0=1.0, einf=0.1, ec50=100.0, hill=1.2)
    >>> fit = HillFit().fit(c, v)
    >>> round(fit.ec50_, 3)
    100.0
    """

    def __init__(
        self,
        *,
        conc_unit: str = CONC_UNIT,
        level: float = 0.5,
        fix_e0: float | None = None,
        fix_einf: float | None = None,
        hill_bounds: tuple[float, float] = (0.1, 10.0),
        einf_bounds: tuple[float, float] = (-np.inf, np.inf),
        ec50_decades: float = 3.0,
        ci_method: str = "covariance",
        confidence: float = 0.95,
        n_bootstrap: int = 200,
        random_state: int | None = None,
        on_failure: str = "warn",
    ):
        self.conc_unit = conc_unit
        self.level = level
        self.fix_e0 = fix_e0
        self.fix_einf = fix_einf
        self.hill_bounds = hill_bounds
        self.einf_bounds = einf_bounds
        self.ec50_decades = ec50_decades
        self.ci_method = ci_method
        self.confidence = confidence
        self.n_bootstrap = n_bootstrap
        self.random_state = random_state
        self.on_failure = on_failure

    # -- checks ---------------------------------------------------------------------------
    def _validate(self) -> None:
        unit_factor(self.conc_unit, field="conc_unit")
        if self.ci_method not in ("covariance", "bootstrap"):
            raise InputError("ci_method", self.ci_method, "'covariance' or 'bootstrap'")
        if not 0 < self.confidence < 1:
            raise InputError("confidence", self.confidence, "a level strictly between 0 and 1")
        if self.on_failure not in ("warn", "raise"):
            raise InputError("on_failure", self.on_failure, "'warn' or 'raise'")
        lo, hi = self.hill_bounds
        if not 0 < lo < hi:
            raise InputError("hill_bounds", self.hill_bounds, "0 < lower < upper")
        if not self.einf_bounds[0] < self.einf_bounds[1]:
            raise InputError("einf_bounds", self.einf_bounds, "lower < upper")
        if not self.ec50_decades >= 0:
            raise InputError("ec50_decades", self.ec50_decades, "a non-negative number of decades")
        if int(self.n_bootstrap) < 20:
            raise InputError("n_bootstrap", self.n_bootstrap, "at least 20 resamples")

    # -- model ----------------------------------------------------------------------------
    def _free(self) -> np.ndarray:
        return np.array([self.fix_e0 is None, self.fix_einf is None, True, True])

    def _full(self, theta_free: np.ndarray) -> np.ndarray:
        full = np.array(
            [self.fix_e0 if self.fix_e0 is not None else np.nan,
             self.fix_einf if self.fix_einf is not None else np.nan, np.nan, np.nan], dtype=float)
        full[self._free()] = theta_free
        return full

    @staticmethod
    def _curve(theta: np.ndarray, c: np.ndarray) -> np.ndarray:
        e0, einf, lg, h = theta
        return hill_curve(c, e0=e0, einf=einf, ec50=10.0**lg, hill=h)

    @staticmethod
    def _jacobian(theta: np.ndarray, c: np.ndarray) -> np.ndarray:
        """Analytic derivatives of the curve with respect to (e0, einf, log10 EC50, hill)."""
        e0, einf, lg, h = theta
        with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
            logratio = np.where(c > 0, np.log(np.where(c > 0, c, 1.0)) - lg * np.log(10.0), 0.0)
            x = np.where(c > 0, np.exp(np.clip(h * logratio, -700, 700)), 0.0)
            g = 1.0 / (1.0 + x)
            dg = x * g * g                                  # -d g / d(h * logratio)
        return np.column_stack([g, 1.0 - g, (e0 - einf) * h * np.log(10.0) * dg, -(e0 - einf) * logratio * dg])

    def _least_squares(self, c, y, starts):
        free = self._free()
        lo = np.array([-np.inf, self.einf_bounds[0], self._lg_bounds[0], self.hill_bounds[0]])[free]
        hi = np.array([np.inf, self.einf_bounds[1], self._lg_bounds[1], self.hill_bounds[1]])[free]
        best = None
        for s in starts:
            x0 = s[free].astype(float)
            span = np.where(np.isfinite(hi - lo), hi - lo, 1.0)
            x0 = np.minimum(np.maximum(x0, lo + 1e-6 * span), hi - 1e-6 * span)
            try:
                res = optimize.least_squares(
                    lambda t: self._curve(self._full(t), c) - y, x0, bounds=(lo, hi),
                    jac=lambda t: self._jacobian(self._full(t), c)[:, free],
                    method="trf", x_scale="jac", xtol=1e-12, ftol=1e-12, gtol=1e-12, max_nfev=4000,
                )
            except (ValueError, np.linalg.LinAlgError):  # pragma: no cover - defensive
                continue
            if best is None or res.cost < best.cost - 1e-15:
                best = res
        return best

    # -- fit ------------------------------------------------------------------------------
    def fit(self, conc, effect) -> HillFit:
        """Fit the curve.

        Parameters
        ----------
        conc : array_like
            Concentrations in ``conc_unit`` (zero = untreated control; allowed).
        effect : array_like
            One finite effect per concentration (replicates as repeated rows).

        Returns
        -------
        HillFit
            ``self``, with the fitted attributes set.
        """
        self._validate()
        c = concentrations_nM(conc, unit=self.conc_unit, field="conc")
        y = finite_effects(effect, n=c.size)
        n_free = int(self._free().sum())
        pos = c[c > 0]
        if np.unique(pos).size < 2 or c.size < n_free + 1:
            raise InputError(
                "conc", f"{c.size} points at {np.unique(pos).size} non-zero doses",
                f"at least 2 distinct non-zero doses and {n_free + 1} points to fit {n_free} parameters",
            )
        self.conc_range_ = (float(pos.min()), float(pos.max()))
        lmin, lmax = np.log10(self.conc_range_)
        self._lg_bounds = (lmin - self.ec50_decades, lmax + self.ec50_decades)
        self.n_obs_ = int(c.size)
        self._c, self._y = c, y

        # starting values: e0 from the lowest doses, einf from the highest
        order = np.argsort(c)
        k = max(1, c.size // 4)
        e0_guess = self.fix_e0 if self.fix_e0 is not None else float(np.mean(y[order[:k]]))
        einf_guess = self.fix_einf if self.fix_einf is not None else float(np.mean(y[order[-k:]]))
        starts = [
            np.array([e0_guess, einf_guess, lg, h])
            for h in (1.0, 2.0, 0.5, 4.0)
            for lg in (np.median(np.log10(pos)), lmin + 0.25 * (lmax - lmin), lmin + 0.75 * (lmax - lmin))
        ]
        res = self._least_squares(c, y, starts)
        self.message_ = res.message if res is not None else "no start succeeded"
        ok = res is not None and res.status > 0 and np.all(np.isfinite(res.x))
        if not ok:
            self.status_ = "failed"
            msg = f"HillFit did not converge ({self.message_}); estimates are unreliable"
            if self.on_failure == "raise":
                raise FitConvergenceError(msg)
            warnings.warn(msg, FitConvergenceWarning, stacklevel=2)
            theta_free = starts[0][self._free()] if res is None else res.x
        else:
            self.status_ = "converged"
            theta_free = res.x
        theta = self._full(theta_free)
        self._theta = theta
        self.e0_, self.einf_, self.ec50_, self.hill_ = float(theta[0]), float(theta[1]), float(10 ** theta[2]), float(theta[3])
        self.params_ = pd.Series({"e0": self.e0_, "einf": self.einf_, "ec50": self.ec50_, "hill": self.hill_}, name="estimate")
        resid = y - self._curve(theta, c)
        self.rss_ = float(resid @ resid)
        tss = float(((y - y.mean()) ** 2).sum())
        self.r2_ = 1.0 - self.rss_ / tss if tss > 0 else np.nan
        self.dof_ = self.n_obs_ - n_free

        # covariance on the free coordinates (log10 ec50)
        names = ["e0", "einf", "log10_ec50", "hill"]
        cov = np.zeros((4, 4))
        if res is not None and self.dof_ > 0:
            J = res.jac
            s2 = self.rss_ / self.dof_
            cov_free = s2 * np.linalg.pinv(J.T @ J)
            idx = np.flatnonzero(self._free())
            cov[np.ix_(idx, idx)] = cov_free
        else:
            cov[:] = np.nan
        self.covariance_ = pd.DataFrame(cov, index=names, columns=names)

        m = self._metrics(theta)
        self.ic50_, self.emax_, self.auc_ = m["ic50"], m["emax"], m["auc"]
        self.censoring_ = pd.Series(self._flags(theta), name="flag")
        self._ci = self._intervals(theta)
        return self

    def _metrics(self, theta: np.ndarray) -> dict[str, float]:
        e0, einf, lg, h = theta
        lo, hi = self.conc_range_
        raw = float(inverse_hill(self.level, e0=e0, einf=einf, ec50=10**lg, hill=h))
        ic50 = raw if (np.isfinite(raw) and lo <= raw <= hi) else np.nan
        emax = float(self._curve(theta, np.array([hi]))[0])
        auc = _log_area(lambda x: self._curve(theta, x), lo, hi)
        return {"e0": e0, "einf": einf, "ec50": 10**lg, "hill": h, "ic50": ic50, "emax": emax, "auc": auc, "_ic50_raw": raw}

    def _flags(self, theta: np.ndarray) -> dict[str, str]:
        lo, hi = self.conc_range_
        raw = self._metrics(theta)["_ic50_raw"]
        if not np.isfinite(raw):
            f_ic = NOT_REACHED
        elif raw > hi:
            f_ic = ABOVE_RANGE
        elif raw < lo:
            f_ic = BELOW_RANGE
        else:
            f_ic = ""
        ec = 10 ** theta[2]
        f_ec = ABOVE_RANGE if ec > hi else (BELOW_RANGE if ec < lo else "")
        f_h = "at bound" if np.isclose(theta[3], self.hill_bounds, rtol=1e-6).any() else ""
        return {"e0": "", "einf": "", "ec50": f_ec, "hill": f_h, "ic50": f_ic, "emax": "", "auc": ""}

    def _intervals(self, theta: np.ndarray) -> dict[str, tuple[float, float]]:
        keys = ["e0", "einf", "ec50", "hill", "ic50", "emax", "auc"]
        alpha = 1 - self.confidence
        if self.ci_method == "bootstrap":
            rng = np.random.default_rng(self.random_state)
            fitted = self._curve(theta, self._c)
            resid = self._y - fitted
            draws = {k: [] for k in keys}
            start = [theta.copy()]
            for _ in range(int(self.n_bootstrap)):
                yb = fitted + rng.choice(resid, size=resid.size, replace=True)
                res = self._least_squares(self._c, yb, start)
                if res is None or res.status <= 0:
                    continue
                m = self._metrics(self._full(res.x))
                for k in keys:
                    draws[k].append(m[k])
            out = {}
            for k in keys:
                d = np.asarray(draws[k], float)
                d = d[np.isfinite(d)]
                out[k] = (tuple(np.quantile(d, [alpha / 2, 1 - alpha / 2])) if d.size >= 10 else (np.nan, np.nan))
            self.n_bootstrap_ok_ = len(draws["hill"])
            return out
        # covariance + delta method (log scale for concentrations)
        cov = self.covariance_.to_numpy()
        tq = stats.t.ppf(1 - alpha / 2, self.dof_) if self.dof_ > 0 else np.nan
        m0 = self._metrics(theta)
        out = {}
        for k in keys:
            est = m0[k]
            logscale = k in ("ec50", "ic50")
            if not np.isfinite(est):
                out[k] = (np.nan, np.nan)
                continue
            g = np.zeros(4)
            for j in np.flatnonzero(self._free()):
                step = 1e-6 * max(1.0, abs(theta[j]))
                tp, tm = theta.copy(), theta.copy()
                tp[j] += step
                tm[j] -= step
                vp, vm = self._metrics(tp)[k if k != "ic50" else "_ic50_raw"], self._metrics(tm)[k if k != "ic50" else "_ic50_raw"]
                if logscale:
                    vp, vm = np.log10(vp), np.log10(vm)
                g[j] = (vp - vm) / (2 * step)
            se = float(np.sqrt(max(g @ cov @ g, 0.0)))
            centre = np.log10(est) if logscale else est
            lo, hi = centre - tq * se, centre + tq * se
            if logscale:  # an interval beyond ~1e300 is reported as infinite, not as an overflow
                out[k] = (10.0 ** min(lo, 300.0), 10.0 ** hi if hi < 300 else np.inf)
            else:
                out[k] = (lo, hi)
        return out

    # -- use ------------------------------------------------------------------------------
    def _check_fitted(self) -> None:
        if not hasattr(self, "params_"):
            raise RuntimeError("this HillFit is not fitted yet; call fit(conc, effect) first")

    def predict(self, conc) -> np.ndarray:
        """Fitted effect at ``conc`` (in ``conc_unit``)."""
        self._check_fitted()
        c = concentrations_nM(conc, unit=self.conc_unit, field="conc")
        return self._curve(self._theta, c)

    def inverse(self, effect) -> np.ndarray:
        """Concentration (nM) where the fitted curve takes ``effect`` (NaN if never; may extrapolate)."""
        self._check_fitted()
        return inverse_hill(effect, e0=self.e0_, einf=self.einf_, ec50=self.ec50_, hill=self.hill_)

    @property
    def summary(self) -> pd.DataFrame:
        """Estimates with confidence intervals, units and range flags (one row per quantity)."""
        self._check_fitted()
        units = {"e0": "effect", "einf": "effect", "ec50": CONC_UNIT, "hill": "1", "ic50": CONC_UNIT,
                 "emax": "effect", "auc": "effect"}
        m = self._metrics(self._theta)
        rows = []
        for k, unit in units.items():
            lo, hi = self._ci[k]
            fixed = (k == "e0" and self.fix_e0 is not None) or (k == "einf" and self.fix_einf is not None)
            flag = self.censoring_[k] if not fixed else "fixed"
            rows.append({"quantity": k, "estimate": m[k], "ci_lower": np.nan if fixed else lo,
                         "ci_upper": np.nan if fixed else hi, "unit": unit, "flag": flag})
        df = pd.DataFrame(rows).set_index("quantity")
        df.attrs.update({"model": "4-parameter log-logistic (LL.4)", "ci_method": self.ci_method,
                         "confidence": self.confidence, "status": self.status_, "n_obs": self.n_obs_,
                         "rss": self.rss_, "r2": self.r2_, "level": self.level,
                         "tested_range_nM": self.conc_range_})
        return df
