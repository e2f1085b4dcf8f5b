"""The objective that fitting minimises: negative log-posterior of a PEtab problem on parameter scales.

``f(x) = -llh(θ(x)) - Σ log p_k(θ_k)``

* ``x`` holds the *estimated* parameters (``estimate = 1``) on their ``parameterScale``
  (``lin``, ``log``, ``log10``); ``θ(x)`` is the linear-scale vector handed to
  :class:`~mtorsim.calibrate.PetabEvaluator`; parameters with ``estimate = 0`` keep ``nominalValue``.
* ``llh`` is the PEtab log-likelihood (see :mod:`mtorsim.calibrate._petab`).
* ``p_k`` is the ``objectivePriorType`` density of the parameter table (PEtab v1), with
  ``objectivePriorParameters`` ``"a;b"``: ``uniform(a, b)``, ``normal(μ, σ)``, ``laplace(μ, b)``,
  ``logNormal(μ, σ)``, ``logLaplace(μ, b)`` on the linear value; ``parameterScaleUniform``,
  ``parameterScaleNormal``, ``parameterScaleLaplace`` on the scaled value. Densities are normalised
  (the constants are included), so ``f`` equals pyPESTO's negative log-posterior.

Gradients (``gradient="sensitivities"``, the default of :func:`~mtorsim.calibrate.calibrate`): forward
sensitivities of the model (:mod:`mtorsim.calibrate._sensitivity`: the SBML model augmented with its
sensitivity equations and integrated by libRoadRunner), chained through initial assignments,
pre-equilibration, condition overrides, observable and noise formulas, transformations and noise
models, then through the parameter scale, ``∂θ/∂x = θ·ln 10`` (log10), ``θ`` (log), ``1`` (lin); the
prior's gradient by central differences of ``log p`` (no simulation). Models the sensitivity equations do
not cover (events, algebraic rules, ...) fall back to finite differences of ``f`` on the parameter scale
(central by default), and :attr:`Objective.gradient_method` says so and why.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .._errors import InputError, SimulationError
from ..simulate._sbml import IntegratorOptions, SteadyStateOptions
from ._petab import PetabEvaluator, _is_empty

__all__ = ["FD_NOTE", "Objective", "PRIOR_TYPES", "SENSITIVITY_NOTE"]

#: what results say when gradients come from the sensitivity equations
SENSITIVITY_NOTE = ("forward sensitivities (the model's sensitivity equations, integrated by libRoadRunner/CVODE "
                    "with the states; chain rule through observables, noise and parameter scales)")
#: ... and when they are finite differences
FD_NOTE = "finite differences (central, step {step:g} on the parameter scale)"

PRIOR_TYPES = ("uniform", "normal", "laplace", "logNormal", "logLaplace", "parameterScaleUniform",
               "parameterScaleNormal", "parameterScaleLaplace")
_SCALES = ("lin", "log", "log10")
_LN10 = math.log(10.0)


def to_linear(x: np.ndarray, scales: tuple[str, ...]) -> np.ndarray:
    out = np.array(x, dtype=float)
    for i, s in enumerate(scales):
        if s == "log":
            out[i] = math.exp(out[i])
        elif s == "log10":
            out[i] = 10.0 ** out[i]
    return out


def to_scale(v: np.ndarray, scales: tuple[str, ...]) -> np.ndarray:
    out = np.array(v, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        for i, s in enumerate(scales):
            if s == "log":
                out[i] = math.log(out[i]) if out[i] > 0 else -np.inf
            elif s == "log10":
                out[i] = math.log10(out[i]) if out[i] > 0 else -np.inf
    return out


@dataclass(frozen=True)
class _Prior:
    kind: str
    a: float
    b: float

    def logpdf(self, lin: float, scaled: float) -> float:
        k, a, b = self.kind, self.a, self.b
        if k == "uniform":
            return -math.log(b - a) if a <= lin <= b else -math.inf
        if k == "parameterScaleUniform":
            return -math.log(b - a) if a <= scaled <= b else -math.inf
        if k in ("normal", "parameterScaleNormal"):
            v = lin if k == "normal" else scaled
            return -0.5 * math.log(2 * math.pi * b * b) - 0.5 * ((v - a) / b) ** 2
        if k in ("laplace", "parameterScaleLaplace"):
            v = lin if k == "laplace" else scaled
            return -math.log(2 * b) - abs(v - a) / b
        if lin <= 0:
            return -math.inf
        ln = math.log(lin)
        if k == "logNormal":
            return -math.log(lin * b * math.sqrt(2 * math.pi)) - 0.5 * ((ln - a) / b) ** 2
        return -math.log(2 * b * lin) - abs(ln - a) / b  # logLaplace

    def residual(self, lin: float, scaled: float) -> float | None:
        """``r`` with ``-log p = r²/2 + const`` for Gaussian priors (least squares); None otherwise."""
        if self.kind == "normal":
            return (lin - self.a) / self.b
        if self.kind == "parameterScaleNormal":
            return (scaled - self.a) / self.b
        return None


class _CapturingEvaluator(PetabEvaluator):
    """A :class:`PetabEvaluator` that keeps the per-measurement χ² terms of its last call (for least squares)."""

    def _observe(self, rows, traj, t, other, values, sim_values, chi2_rows, llh_rows):  # noqa: D401
        self.last_chi2_rows = chi2_rows  # filled in place by the parent
        super()._observe(rows, traj, t, other, values, sim_values, chi2_rows, llh_rows)


class Objective:
    """A PEtab problem as a function of the estimated parameters on their scales.

    Parameters
    ----------
    problem : path to the problem's YAML file (or a ``petab.v1.Problem``).

    Expert knobs
    ------------
    integrator, steady_state : solver settings handed to :class:`PetabEvaluator`.
    gradient : ``sensitivities`` (forward sensitivities; falls back to finite differences, with the reason
        in :attr:`gradient_method`, where the model is not covered) or ``fd``.
    fd_step : finite-difference step on the parameter scale.
    fd : ``central`` (2n simulations per gradient, error O(h²)) or ``forward`` (n simulations, O(h)).
    sensitivity_chunk : parameters per augmented model. libRoadRunner's dense Jacobian makes one
        system of ``n_states·(1 + n_parameters)`` equations cost more than several smaller ones, so the
        dynamic parameters are split into chunks, one augmented model each (default: about 80
        equations per model; measured on Fujita 2010 and the ``export_petab`` problem).

    Attributes
    ----------
    ids : estimated parameter ids; ``scales``, ``lower``, ``upper`` (bounds on the scale), ``nominal``
        (on the scale), ``units`` and ``sources`` (from optional ``unit``/``source`` columns).
    n_simulations : number of problem evaluations so far (one per objective value, FD points included,
        one per sensitivity evaluation).
    gradient_method : how :meth:`value_and_grad` computes gradients (and why, after a fallback).
    """

    def __init__(self, problem: str | Path | Any, *, integrator: IntegratorOptions | None = None,
                 steady_state: SteadyStateOptions | None = None, fd_step: float = 1e-5,
                 fd: str = "central", lint: bool = True, gradient: str = "fd",
                 sensitivity_chunk: int | None = None):
        if gradient not in ("sensitivities", "fd"):
            raise InputError("gradient", gradient, "'sensitivities' or 'fd'")
        if fd not in ("central", "forward"):
            raise InputError("fd", fd, "'central' or 'forward'")
        if not (isinstance(fd_step, (int, float)) and 0 < fd_step < 1):
            raise InputError("fd_step", fd_step, "a number between 0 and 1 (on the parameter scale)")
        self.evaluator = _CapturingEvaluator(problem, integrator=integrator, steady_state=steady_state, lint=lint)
        self.fd_step, self.fd = float(fd_step), fd
        par = self.evaluator.problem.parameter_df
        self.ids: tuple[str, ...] = tuple(self.evaluator.estimated)
        if not self.ids:
            raise InputError("parameter table, column estimate", 0, "at least one parameter with estimate = 1")
        self.scales = tuple(str(self.evaluator.scales.get(i, "lin")) for i in self.ids)
        lower = par.loc[list(self.ids), "lowerBound"].astype(float).to_numpy()
        upper = par.loc[list(self.ids), "upperBound"].astype(float).to_numpy()
        self.lower_linear, self.upper_linear = lower, upper
        self.lower, self.upper = to_scale(lower, self.scales), to_scale(upper, self.scales)
        self.nominal = to_scale(self.evaluator.nominal.loc[list(self.ids)].to_numpy(float), self.scales)
        self.units = tuple(str(par.at[i, "unit"]) if "unit" in par and not _is_empty(par.at[i, "unit"]) else ""
                           for i in self.ids)
        self.sources = tuple(str(par.at[i, "source"]) if "source" in par and not _is_empty(par.at[i, "source"])
                             else "" for i in self.ids)
        self.priors = tuple(self._prior(par, i, "objectivePrior") for i in self.ids)
        self.init_priors = tuple(self._prior(par, i, "initializationPrior") for i in self.ids)
        self.n_simulations = 0
        self.gradient = gradient
        self.fallback_reason = ""
        self.n_fd_fallbacks = 0  # points where the sensitivity equations failed and FD stood in
        self._sens = None
        self._sens_chunks: list = []
        if sensitivity_chunk is not None and not (isinstance(sensitivity_chunk, int) and sensitivity_chunk >= 1):
            raise InputError("sensitivity_chunk", sensitivity_chunk, "a positive integer or None (automatic)")
        if gradient == "sensitivities":
            from ._sensitivity import SensitivityEvaluator, UnsupportedModel, n_states

            try:
                first = SensitivityEvaluator(self.evaluator, self.ids, only=())
                dyn = first.dynamic_all
                if sensitivity_chunk is None:  # augmented systems of ~80 states integrate fastest here
                    sensitivity_chunk = max(1, round(80 / max(n_states(self.evaluator.model.sbml_text), 1)) - 1)
                groups = [dyn[i:i + sensitivity_chunk] for i in range(0, len(dyn), sensitivity_chunk)] or [()]
                self._sens_chunks = [first if not g else SensitivityEvaluator(self.evaluator, self.ids, only=g)
                                     for g in groups]
                self._sens = self._sens_chunks[0]
                self.sensitivity_chunk = sensitivity_chunk
            except UnsupportedModel as exc:
                self.fallback_reason = f"the sensitivity equations do not cover this model ({exc})"

    @property
    def gradient_method(self) -> str:
        """``SENSITIVITY_NOTE``, or ``FD_NOTE`` (with the reason when sensitivities were asked for)."""
        if self._sens is not None:
            return SENSITIVITY_NOTE
        note = FD_NOTE.format(step=self.fd_step).replace("central", self.fd)
        return note + (f"; fallback: {self.fallback_reason}" if self.fallback_reason else "")

    @property
    def source(self) -> str:
        return self.evaluator.source

    @staticmethod
    def _prior(par: pd.DataFrame, pid: str, prefix: str) -> _Prior | None:
        kind = par.at[pid, f"{prefix}Type"] if f"{prefix}Type" in par else None
        if _is_empty(kind):
            return None
        kind = str(kind).strip()
        row = list(par.index).index(pid) + 2
        if kind not in PRIOR_TYPES:
            raise InputError(f"parameter table row {row} ({pid}), column {prefix}Type", kind,
                             f"one of {', '.join(PRIOR_TYPES)}")
        text = par.at[pid, f"{prefix}Parameters"] if f"{prefix}Parameters" in par else None
        try:
            a, b = (float(v) for v in str(text).split(";"))
        except ValueError:
            raise InputError(f"parameter table row {row} ({pid}), column {prefix}Parameters", text,
                             "two numbers separated by ';'") from None
        if kind.endswith("niform") and not a < b:
            raise InputError(f"parameter table row {row} ({pid}), column {prefix}Parameters", text,
                             "a lower and a larger upper bound 'a;b'")
        if not kind.endswith("niform") and not b > 0:
            raise InputError(f"parameter table row {row} ({pid}), column {prefix}Parameters", text,
                             "a location and a positive scale 'a;b'")
        return _Prior(kind, a, b)

    # -- values -----------------------------------------------------------------------------------
    def linear(self, x: np.ndarray) -> dict[str, float]:
        return dict(zip(self.ids, to_linear(np.asarray(x, float), self.scales)))

    def log_prior(self, x: np.ndarray) -> float:
        lin = to_linear(np.asarray(x, float), self.scales)
        total = 0.0
        for p, v, s in zip(self.priors, lin, x):
            if p is not None:
                total += p.logpdf(float(v), float(s))
        return total

    def evaluate(self, x: np.ndarray):
        """The :class:`~mtorsim.calibrate.PetabResult` at ``x`` (scaled)."""
        self.n_simulations += 1
        return self.evaluator(self.linear(x))

    def __call__(self, x: np.ndarray) -> float:
        """``f(x)``; ``inf`` when a simulation fails or a prior excludes ``x``."""
        x = np.asarray(x, dtype=float)
        if not np.all(np.isfinite(x)):
            return math.inf
        lp = self.log_prior(x)
        if not math.isfinite(lp):
            return math.inf
        res = self.evaluate(x)
        if not math.isfinite(res.llh):
            return math.inf
        return -res.llh - lp

    def failure(self, x: np.ndarray) -> str:
        """Why ``f(x)`` is not finite, in one line."""
        x = np.asarray(x, dtype=float)
        if not np.all(np.isfinite(x)):
            return "parameter vector is not finite"
        if not math.isfinite(self.log_prior(x)):
            return "the prior density is zero here"
        res = self.evaluate(x)
        bad = res.conditions[res.conditions["status"] != "ok"]
        if len(bad):
            row = bad.iloc[0]
            pre = f"{row['preequilibrationConditionId']} → " if row["preequilibrationConditionId"] else ""
            return f"condition {pre}{row['simulationConditionId']}: {row['message']}"
        return "the log-likelihood is not finite (a simulated value of 0 or less under a log transformation?)"

    def value_and_grad(self, x: np.ndarray) -> tuple[float, np.ndarray]:
        """``f(x)`` and its gradient on the parameter scale (see :attr:`gradient_method`).

        ``(inf, 0)`` when the point cannot be evaluated. Finite differences: a failed neighbour makes
        the difference one-sided; if both fail, ``(inf, 0)`` is returned (the point counts as failed, so
        an optimiser never mistakes it for a stationary point).
        """
        if self._sens is not None:
            return self.value_and_grad_sensitivities(x)
        return self.value_and_grad_fd(x)

    def _log_prior_grad(self, x: np.ndarray, h: float = 1e-7) -> np.ndarray:
        g = np.zeros(len(x))
        for i, p in enumerate(self.priors):
            if p is None or p.kind in ("uniform", "parameterScaleUniform"):
                continue  # flat inside the support
            xp, xm = x.copy(), x.copy()
            xp[i] += h
            xm[i] -= h
            g[i] = (self.log_prior(xp) - self.log_prior(xm)) / (2 * h)
        return g

    def value_and_grad_sensitivities(self, x: np.ndarray) -> tuple[float, np.ndarray]:
        """``f(x)`` and its gradient from forward sensitivities (one augmented simulation per condition).

        Where the augmented model cannot be integrated but ``f(x)`` can, the gradient is computed by finite
        differences instead and :attr:`n_fd_fallbacks` counts it."""
        if self._sens is None:
            raise InputError("gradient", "sensitivities", f"a model the sensitivity equations cover "
                             f"({self.fallback_reason or 'built with gradient=sensitivities'})")
        x = np.asarray(x, dtype=float)
        fail = (math.inf, np.zeros(len(x)))
        if not np.all(np.isfinite(x)):
            return fail
        lp = self.log_prior(x)
        if not math.isfinite(lp):
            return fail
        self.n_simulations += 1
        lin = to_linear(x, self.scales)
        values = self.evaluator.parameter_values(dict(zip(self.ids, lin)))
        try:
            with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
                llh, g_lin = math.nan, np.zeros(len(x))
                for j, se in enumerate(self._sens_chunks):
                    l_j, g_j, _ = se(values)
                    own = [k in se.dynamic or (j == 0 and k not in se.dynamic_all) for k in self.ids]
                    g_lin[own] = g_j[own]
                    llh = l_j if j == 0 else llh
        except SimulationError:
            llh, g_lin = math.nan, np.full(len(x), math.nan)
        if not (math.isfinite(llh) and np.all(np.isfinite(g_lin))):
            # the sensitivity equations failed (CVODE) or gave a non-finite gradient: where the objective
            # itself can be evaluated, this point gets a finite-difference gradient (counted)
            if math.isfinite(self(x)):
                self.n_fd_fallbacks += 1
                return self.value_and_grad_fd(x)
            return fail
        dlin = np.array([v * _LN10 if s == "log10" else v if s == "log" else 1.0 for v, s in zip(lin, self.scales)])
        return -llh - lp, -g_lin * dlin - self._log_prior_grad(x)

    def value_and_grad_fd(self, x: np.ndarray) -> tuple[float, np.ndarray]:
        """``f(x)`` and its finite-difference gradient on the parameter scale (``fd``, ``fd_step``)."""
        x = np.asarray(x, dtype=float)
        f0 = self(x)
        g = np.zeros(len(x))
        if not math.isfinite(f0):
            return f0, g
        h = self.fd_step
        for i in range(len(x)):
            xp = x.copy()
            xp[i] += h
            fp = self(xp)
            if self.fd == "forward":
                if math.isfinite(fp):
                    g[i] = (fp - f0) / h
                else:
                    xm = x.copy()
                    xm[i] -= h
                    fm = self(xm)
                    if not math.isfinite(fm):
                        return math.inf, np.zeros(len(x))
                    g[i] = (f0 - fm) / h
                continue
            xm = x.copy()
            xm[i] -= h
            fm = self(xm)
            if math.isfinite(fp) and math.isfinite(fm):
                g[i] = (fp - fm) / (2 * h)
            elif math.isfinite(fp):
                g[i] = (fp - f0) / h
            elif math.isfinite(fm):
                g[i] = (f0 - fm) / h
            else:  # no usable neighbour: the point is treated as failed, never as a zero gradient
                return math.inf, np.zeros(len(x))
        return f0, g

    # -- least squares ----------------------------------------------------------------------------
    def check_least_squares(self) -> None:
        """Raise unless ``f`` is ``½ Σ r² + const`` with ``r`` from :meth:`residuals`: normal noise whose σ
        does not depend on estimated parameters, and only Gaussian (or no) priors."""
        ev = self.evaluator
        est = set(self.ids)
        for oid, o in ev.observables.items():
            if o["distribution"] != "normal":
                raise InputError("optimizer", "trf", f"normal noise only (observable {oid!r} has "
                                 f"{o['distribution']}); use optimizer='L-BFGS-B'")
            used = set(o["noise"].args) & est
            if used:
                raise InputError("optimizer", "trf", f"σ that does not depend on estimated parameters (observable "
                                 f"{oid!r} uses {sorted(used)}); use optimizer='L-BFGS-B'")
        for lst in ev._overrides["noiseParameters"]:
            used = {str(v).strip() for v in lst} & est
            if used:
                raise InputError("optimizer", "trf", f"σ that does not depend on estimated parameters (noiseParameters "
                                 f"use {sorted(used)}); use optimizer='L-BFGS-B'")
        for pid, p in zip(self.ids, self.priors):
            if p is not None and p.kind not in ("normal", "parameterScaleNormal", "uniform", "parameterScaleUniform"):
                raise InputError("optimizer", "trf", f"Gaussian or uniform priors only ({pid!r} has {p.kind}); "
                                 "use optimizer='L-BFGS-B'")

    def residuals(self, x: np.ndarray) -> np.ndarray:
        """Signed noise-normalised residuals (one per measurement, then one per Gaussian prior);
        ``+inf`` entries when a simulation fails."""
        ev = self.evaluator
        x = np.asarray(x, dtype=float)
        n_prior = sum(1 for p in self.priors if p is not None and p.residual(0.0, 0.0) is not None)
        res = self.evaluate(x)
        if not math.isfinite(res.chi2):
            return np.full(len(ev.measurements) + n_prior, 1e10)
        chi2 = np.asarray(ev.last_chi2_rows, dtype=float)
        y = res.simulations["simulation"].to_numpy(float)
        m = ev.measurements["measurement"].to_numpy(float)
        trans = np.array([ev.observables[o]["transformation"] for o in ev.measurements["observableId"]])
        with np.errstate(divide="ignore", invalid="ignore"):
            hy = np.where(trans == "lin", y, np.where(trans == "log", np.log(y), np.log10(y)))
            hm = np.where(trans == "lin", m, np.where(trans == "log", np.log(m), np.log10(m)))
        r = np.sign(hy - hm) * np.sqrt(chi2)
        lin = to_linear(x, self.scales)
        extra = [p.residual(float(v), float(s)) for p, v, s in zip(self.priors, lin, x) if p is not None]
        r = np.concatenate([r, [e for e in extra if e is not None]])
        return np.where(np.isfinite(r), r, 1e10)

    def residual_jacobian(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, dtype=float)
        h = self.fd_step
        cols = []
        for i in range(len(x)):
            xp, xm = x.copy(), x.copy()
            xp[i] += h
            xm[i] -= h
            cols.append((self.residuals(xp) - self.residuals(xm)) / (2 * h))
        return np.column_stack(cols)

    # -- start points -----------------------------------------------------------------------------
    def sample_start(self, rng: np.random.Generator) -> np.ndarray:
        """A start point: from ``initializationPriorType`` where given, else uniform on the scale within bounds."""
        x = np.empty(len(self.ids))
        for i, p in enumerate(self.init_priors):
            lo, hi = self.lower[i], self.upper[i]
            if p is None or p.kind == "parameterScaleUniform":
                a, b = (lo, hi) if p is None else (p.a, p.b)
                x[i] = rng.uniform(a, b)
                continue
            k, a, b = p.kind, p.a, p.b
            if k == "uniform":
                v = rng.uniform(a, b)
            elif k == "normal":
                v = rng.normal(a, b)
            elif k == "laplace":
                v = rng.laplace(a, b)
            elif k == "logNormal":
                v = math.exp(rng.normal(a, b))
            elif k == "logLaplace":
                v = math.exp(rng.laplace(a, b))
            elif k == "parameterScaleNormal":
                x[i] = rng.normal(a, b)
                continue
            else:  # parameterScaleLaplace
                x[i] = rng.laplace(a, b)
                continue
            x[i] = to_scale(np.array([v]), (self.scales[i],))[0]
        return np.clip(x, self.lower, self.upper)
