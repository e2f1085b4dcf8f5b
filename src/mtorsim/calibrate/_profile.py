"""Profile likelihoods: what the data pin down.

For a parameter ``θ_k`` the profile is ``PL(c) = min_{x: x_k = c} f(x)`` with ``f`` the negative
log-posterior (:mod:`mtorsim.calibrate._objective`). From the best fit ``x*`` the profile walks
along ``x_k`` (on its parameter scale) in both directions, re-optimising the other estimated
parameters at every point (L-BFGS-B, warm-started from the previous point), with step control:
a step is halved when ``Δ = 2 (PL - f*)`` rises by more than ``max_rise`` and doubled (up to
``max_step``) when it rises by less than ``max_rise / 4``. A direction ends when ``Δ`` exceeds
the threshold by ``overshoot``, at the bound, or after ``max_points`` points.

The threshold is the 95 % point of χ² with one degree of freedom, ``3.84`` on ``−2 log L``
(pointwise confidence intervals; Raue et al. 2009, Bioinformatics 25:1923). Verdicts:
``identifiable`` (the profile crosses the threshold on both sides), ``practically
non-identifiable (lower side)`` / ``(upper side)`` (it reaches a bound below the threshold on one
side), ``practically non-identifiable (both sides)``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from .._errors import InputError
from .._io import write_text_atomic
from ._fit import CalibrationResult, CalibrationSettings, _make_objective
from ._objective import Objective, to_linear

__all__ = ["ProfileResult", "profile"]

CHI2_95_1DOF = 3.841458820694124


class ProfileResult:
    """Profiles of chosen parameters (final class; build it with :func:`profile`).

    Attributes
    ----------
    profiles : one row per profile point: parameter, direction (``best``, ``lower``, ``upper``),
        value (linear), value_scaled, fval, delta (``Δ(−2 log L)``), n_fev, status.
    verdicts : one row per parameter: parameter, scale, best, best_scaled, lower_ci, upper_ci (linear;
        NaN where the profile does not cross), verdict.
    threshold : the Δ(−2 log L) threshold (3.84).
    """

    def __init__(self, profiles: pd.DataFrame, verdicts: pd.DataFrame, threshold: float, problem: str,
                 best_fval: float):
        self.profiles = profiles
        self.verdicts = verdicts
        self.threshold = threshold
        self.problem = problem
        self.best_fval = best_fval

    @property
    def summary(self) -> pd.DataFrame:
        return self.verdicts

    def plot(self, parameter: str, ax=None):
        from ._plots import profile_plot

        if parameter not in set(self.verdicts["parameter"]):
            raise InputError("parameter", parameter, f"a profiled parameter ({', '.join(self.verdicts['parameter'])})")
        return profile_plot(self, parameter, ax=ax)

    def save(self, folder: str | Path) -> Path:
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        write_text_atomic(folder / "profiles.tsv", self.profiles.to_csv(sep="\t", index=False))
        write_text_atomic(folder / "verdicts.tsv", self.verdicts.to_csv(sep="\t", index=False))
        write_text_atomic(folder / "profile.json", json.dumps({"threshold": self.threshold, "problem": self.problem,
                                                           "best_fval": self.best_fval}, indent=1))
        return folder

    @classmethod
    def load(cls, folder: str | Path) -> "ProfileResult":
        folder = Path(folder)
        meta = json.loads((folder / "profile.json").read_text())
        return cls(pd.read_csv(folder / "profiles.tsv", sep="\t"), pd.read_csv(folder / "verdicts.tsv", sep="\t"),
                   meta["threshold"], meta["problem"], meta["best_fval"])

    def __repr__(self) -> str:
        return "ProfileResult(" + ", ".join(f"{p}: {v}" for p, v in zip(self.verdicts["parameter"],
                                                                       self.verdicts["verdict"])) + ")"


def _reoptimise(obj: Objective, x: np.ndarray, k: int, settings: CalibrationSettings) -> tuple[np.ndarray, float]:
    from scipy.optimize import minimize

    free = [i for i in range(len(x)) if i != k]
    if not free:
        return x, obj(x)

    def fg(z):
        full = x.copy()
        full[free] = z
        return _fg(obj, full, free)

    res = minimize(fg, x[free], jac=True, method="L-BFGS-B", bounds=[(obj.lower[i], obj.upper[i]) for i in free],
                   options={"maxiter": settings.max_iter, "ftol": settings.ftol, "gtol": settings.gtol})
    out = x.copy()
    out[free] = res.x
    return out, float(obj(out))


def _fg(obj: Objective, x: np.ndarray, free: list[int]) -> tuple[float, np.ndarray]:
    """Objective and central-difference gradient over the ``free`` coordinates only."""
    f0 = obj(x)
    g = np.zeros(len(free))
    if not math.isfinite(f0):
        return f0, g
    h = obj.fd_step
    for j, i in enumerate(free):
        xp, xm = x.copy(), x.copy()
        xp[i] += h
        xm[i] -= h
        fp, fm = obj(xp), obj(xm)
        if math.isfinite(fp) and math.isfinite(fm):
            g[j] = (fp - fm) / (2 * h)
        elif math.isfinite(fp):
            g[j] = (fp - f0) / h
        elif math.isfinite(fm):
            g[j] = (f0 - fm) / h
    return f0, g


def profile(problem: str | Path, result: CalibrationResult, parameters: Sequence[str] | None = None, *,
            threshold: float = CHI2_95_1DOF, first_step: float = 0.05, max_step: float = 0.5,
            min_step: float = 1e-3, max_rise: float = 1.0, overshoot: float = 1.0, max_points: int = 40,
            grid: Sequence[float] | None = None, settings: CalibrationSettings | None = None) -> ProfileResult:
    """Profile likelihoods of ``parameters`` around the best fit of ``result``.

    Parameters
    ----------
    problem : the PEtab problem's YAML file (the one ``result`` was fitted to).
    result : a :class:`CalibrationResult` (from :func:`calibrate` or :meth:`CalibrationResult.load`).
    parameters : estimated parameter ids to profile (default: all).

    Expert knobs
    ------------
    threshold : Δ(−2 log L) threshold (default 3.84, χ²₁ 95 %).
    first_step, max_step, min_step : step sizes on the parameter scale.
    max_rise : largest accepted rise of Δ per step before the step is halved.
    overshoot : a direction stops once Δ > threshold + overshoot.
    max_points : most points per direction.
    grid : profile on these scaled offsets from the optimum instead (e.g. ``np.linspace(-2, 2, 21)``),
        no step control.
    settings : optimiser tolerances and CVODE settings (default: those of ``result``).

    Returns
    -------
    ProfileResult
    """
    if not isinstance(result, CalibrationResult):
        raise InputError("result", type(result).__name__, "a CalibrationResult")
    settings = settings or result.settings
    obj = _make_objective(problem, settings)
    if list(obj.ids) != result.ids:
        raise InputError("problem", str(problem), f"the problem that result was fitted to (estimated parameters "
                         f"{', '.join(result.ids)})")
    params = list(obj.ids) if parameters is None else list(parameters)
    for p in params:
        if p not in obj.ids:
            raise InputError("parameters", p, f"an estimated parameter ({', '.join(obj.ids)})")
    for name, v in (("threshold", threshold), ("first_step", first_step), ("max_step", max_step),
                    ("min_step", min_step), ("max_rise", max_rise)):
        if not (isinstance(v, (int, float)) and v > 0):
            raise InputError(name, v, "a positive number")
    x_best = result.best_x
    f_best = obj(x_best)
    if not math.isfinite(f_best):
        raise InputError("result", result.problem, "a fit whose best point evaluates (" + obj.failure(x_best) + ")")
    rows, verdicts = [], []
    for p in params:
        k = obj.ids.index(p)
        rows.append(_row(p, "best", x_best[k], obj.scales[k], f_best, f_best, 0, "ok"))
        side_end: dict[str, str] = {}
        crossing: dict[str, float] = {}
        for direction, sign in (("lower", -1.0), ("upper", 1.0)):
            x, f_prev = x_best.copy(), f_best
            step = first_step
            offsets = None if grid is None else sorted((g for g in grid if sign * g > 0), key=abs)
            n = 0
            halved = False
            end = "max_points"
            while n < max_points if offsets is None else n < len(offsets):
                bound = obj.lower[k] if sign < 0 else obj.upper[k]
                target = x_best[k] + offsets[n] if offsets is not None else x[k] + sign * step
                hit_bound = (target - bound) * sign >= 0
                if hit_bound:
                    target = bound
                trial = x.copy()
                trial[k] = target
                t0 = obj.n_simulations
                trial, f = _reoptimise(obj, trial, k, settings)
                delta = 2 * (f - f_best)
                rise = 2 * (f - f_prev)
                if offsets is None and math.isfinite(f) and rise > max_rise and step > min_step:
                    step = max(step / 2, min_step)
                    halved = True
                    continue
                if not math.isfinite(f):
                    if offsets is None and step > min_step:
                        step = max(step / 2, min_step)
                        continue
                    rows.append(_row(p, direction, target, obj.scales[k], f, f_best, obj.n_simulations - t0, "failed"))
                    end = "failed"
                    break
                rows.append(_row(p, direction, target, obj.scales[k], f, f_best, obj.n_simulations - t0, "ok"))
                n += 1
                if direction not in crossing and delta > threshold:
                    prev_delta = 2 * (f_prev - f_best)
                    frac = (threshold - prev_delta) / (delta - prev_delta) if delta != prev_delta else 1.0
                    crossing[direction] = x[k] + frac * (target - x[k])
                if delta > threshold + overshoot:
                    end = "threshold"
                    break
                if hit_bound:
                    end = "bound"
                    break
                if offsets is None and rise < max_rise / 4 and not halved:
                    step = min(step * 2, max_step)
                halved = False
                x, f_prev = trial, f
            side_end[direction] = "crossed" if direction in crossing else end
        flat = [d for d in ("lower", "upper") if d not in crossing]
        verdict = ("identifiable" if not flat else
                   "practically non-identifiable (both sides)" if len(flat) == 2 else
                   f"practically non-identifiable ({flat[0]} side)")
        s = obj.scales[k]
        ci = {d: float(to_linear(np.array([crossing[d]]), (s,))[0]) if d in crossing else np.nan
              for d in ("lower", "upper")}
        verdicts.append({"parameter": p, "scale": s, "best": float(to_linear(np.array([x_best[k]]), (s,))[0]),
                         "best_scaled": float(x_best[k]), "lower_ci": ci["lower"], "upper_ci": ci["upper"],
                         "lower_end": side_end["lower"], "upper_end": side_end["upper"], "verdict": verdict})
    profiles = pd.DataFrame(rows)
    if (profiles["delta"] < -0.01).any():
        import warnings

        from ._fit import CalibrationWarning

        warnings.warn("the profile found points better than the best fit (Δ < 0): the calibration did not reach "
                      "the optimum; rerun calibrate with more starts", CalibrationWarning, stacklevel=2)
    return ProfileResult(profiles, pd.DataFrame(verdicts), float(threshold), str(problem), float(f_best))


def _row(p: str, direction: str, xs: float, scale: str, f: float, f_best: float, n_fev: int, status: str) -> dict:
    return {"parameter": p, "direction": direction, "value": float(to_linear(np.array([xs]), (scale,))[0]),
            "value_scaled": float(xs), "fval": float(f), "delta": float(2 * (f - f_best)) if math.isfinite(f) else np.nan,
            "n_fev": int(n_fev), "status": status}
