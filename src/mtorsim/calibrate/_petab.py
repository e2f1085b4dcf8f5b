"""Evaluate any PEtab v1 problem with libRoadRunner: simulations, χ² and log-likelihood.

Tables are read and linted by the ``petab`` library (``petab.v1``); the simulation and the
objective are computed here, following the PEtab v1 specification
(https://petab.readthedocs.io/en/latest/v1/documentation_data_format.html):

* parameter values: the parameter table's ``nominalValue`` (linear scale), unless given by the
  caller (optionally on the table's ``parameterScale``); model parameters absent from both
  tables keep their SBML values;
* condition table: columns override model parameters, species (initial concentrations) and
  compartments (sizes); cells may be numbers or parameter ids; ``NaN`` for a species means
  "keep the pre-equilibrated value" (or the model's initial value without pre-equilibration);
* ``preequilibrationConditionId``: the model is brought to a steady state under that condition
  (strategy in :mod:`mtorsim.simulate._sbml`), then the simulation condition is applied and
  time restarts at 0; within one evaluation the steady state of each pre-equilibration condition
  is computed once and restored for the other simulation conditions that share it;
* observable and noise formulas with ``observableParameter{n}_{id}`` / ``noiseParameter{n}_{id}``
  placeholders replaced per measurement row (numbers or parameter ids);
* ``lin``/``log``/``log10`` observable transformations, ``normal`` and ``laplace`` noise; the
  log-likelihood is the density of the measurement on the linear scale:

  normal:  ``llh = -½ log(2π σ² J²) - ½ ((h(y) - h(m)) / σ)²``
  laplace: ``llh = -log(2 σ J) - |h(y) - h(m)| / σ``

  with ``h`` the transformation, ``J = 1, m, m·ln 10`` for ``lin, log, log10``, ``y`` the
  simulation and ``m`` the measurement; ``χ² = Σ ((h(y) - h(m)) / σ)²``;
* measurements at ``time = inf`` are taken at the steady state of the simulation condition.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
import sympy as sp
import yaml

from .._errors import InputError, SimulationError
from ..simulate._sbml import IntegratorOptions, SbmlModel, SteadyStateOptions

__all__ = ["PetabEvaluator", "PetabResult", "evaluate_petab"]

_TRANSFORMS = ("lin", "log", "log10")
_NOISES = ("normal", "laplace")
_SCALES = ("lin", "log", "log10")


def _petab():
    import petab.v1 as petab  # imported lazily: petab pulls in sympy and antlr (~0.5 s)

    return petab


@dataclass(frozen=True)
class PetabResult:
    """The outcome of evaluating a PEtab problem at one parameter vector.

    Attributes
    ----------
    chi2 : Σ of squared, noise-normalised residuals on the transformed scale (NaN if a condition failed).
    llh : log-likelihood of all measurements (NaN if a condition failed).
    simulations : PEtab simulation table: the measurement table with ``measurement`` replaced by
        ``simulation`` (linear scale), in the measurement table's row order.
    conditions : one row per (pre-equilibration, simulation) condition pair with ``status``
        (``ok``/``failed``), ``message``, ``n_measurements``, ``chi2`` and ``llh``.
    parameters : the linear-scale parameter values used, indexed by parameter-table id.
    problem : the problem's YAML file (or ``<Problem>`` when given an object).
    """

    chi2: float
    llh: float
    simulations: pd.DataFrame = field(repr=False)
    conditions: pd.DataFrame = field(repr=False)
    parameters: pd.Series = field(repr=False)
    problem: str = ""

    @property
    def ok(self) -> bool:
        """Whether every condition simulated."""
        return bool((self.conditions["status"] == "ok").all())

    @property
    def summary(self) -> pd.DataFrame:
        """χ², log-likelihood, measurement and failure counts as a one-row table."""
        return pd.DataFrame({"problem": [self.problem], "chi2": [self.chi2], "llh": [self.llh],
                             "n_measurements": [len(self.simulations)],
                             "n_failed_conditions": [int((self.conditions["status"] != "ok").sum())]})


class _LintCapture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        msg = " ".join(record.getMessage().split())  # one line: petab prints table rows over several
        if msg != "Not OK":
            self.messages.append(msg)


def _is_empty(x: Any) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x)) or (isinstance(x, str) and x.strip() == "")


@dataclass(frozen=True)
class _Formula:
    expr: sp.Expr
    func: Any
    args: tuple[str, ...]


def _compile(text: Any, where: str) -> _Formula:
    petab = _petab()
    try:
        expr = petab.math.sympify_petab(text if isinstance(text, str) else float(text))
    except (ValueError, TypeError) as exc:
        raise InputError(where, text, f"a PEtab math expression ({exc})") from None
    symbols = sorted(expr.free_symbols, key=lambda s: s.name)
    func = sp.lambdify(symbols, expr, modules="numpy", dummify=True)
    return _Formula(expr, func, tuple(s.name for s in symbols))


class PetabEvaluator:
    """A PEtab v1 problem read, linted and compiled once; call it to evaluate parameter vectors.

    Parameters
    ----------
    problem : path to the problem's YAML file, or a ``petab.v1.Problem``.

    Expert knobs
    ------------
    integrator : :class:`~mtorsim.simulate._sbml.IntegratorOptions` (CVODE tolerances).
    steady_state : :class:`~mtorsim.simulate._sbml.SteadyStateOptions` (pre-equilibration).
    lint : run ``petab.v1.lint_problem`` first and raise :class:`~mtorsim.InputError` with its
        messages when the problem is invalid.

    Attributes
    ----------
    problem : the ``petab.v1.Problem``.
    model : the compiled :class:`~mtorsim.simulate._sbml.SbmlModel` (shared by all conditions and calls).
    nominal : ``nominalValue`` of every parameter-table parameter (linear scale), a Series.
    estimated : ids with ``estimate = 1``.
    pairs : the (pre-equilibration, simulation) condition pairs in measurement-table order.

    Examples
    --------
    >>> ev = PetabEvaluator("Fujita_SciSignal2010.yaml")                    # doctest: +SKIP
    >>> ev().llh                                                             # doctest: +SKIP
    """

    def __init__(self, problem: str | Path | Any, *, integrator: IntegratorOptions | None = None,
                 steady_state: SteadyStateOptions | None = None, lint: bool = True):
        petab = _petab()
        if isinstance(problem, (str, Path)):
            path = Path(problem)
            if not path.is_file():
                raise InputError("problem", str(path), "a PEtab v1 YAML file that exists")
            try:
                problem = petab.Problem.from_yaml(path)
            except (ValueError, KeyError, OSError, AssertionError, NotImplementedError, yaml.YAMLError) as exc:
                raise InputError("problem", str(path),
                                 f"a readable PEtab v1 problem ({type(exc).__name__}: {exc})") from None
            self.source = str(path)
        elif isinstance(problem, petab.Problem):
            self.source = "<Problem>"
        else:
            raise InputError("problem", problem, "a path to a PEtab YAML file or a petab.v1.Problem")
        self.problem = problem
        for name in ("model", "condition_df", "measurement_df", "observable_df", "parameter_df"):
            if getattr(problem, name) is None:
                raise InputError("problem", self.source, f"a PEtab problem with a {name.replace('_df', ' table')}")
        if lint:
            self._lint()
        try:
            sbml = problem.model.to_sbml_str()
        except AttributeError:
            raise InputError("problem.model", type(problem.model).__name__, "an SBML model") from None
        self.model = SbmlModel(sbml, integrator=integrator, steady_state=steady_state)
        self.model.source = f"{self.source} (SBML)"
        self._prepare()

    # -- reading ----------------------------------------------------------------------------------
    def _lint(self) -> None:
        petab = _petab()
        handler = _LintCapture()
        logger = logging.getLogger("petab")
        logger.addHandler(handler)
        try:
            failed = petab.lint_problem(self.problem)
        finally:
            logger.removeHandler(handler)
        if failed:
            raise InputError("problem", self.source, "a valid PEtab v1 problem; petab lint: " +
                             " | ".join(handler.messages or ["failed without a message"]))

    def _prepare(self) -> None:
        p, m = self.problem, self.model
        par = p.parameter_df
        self.parameter_ids: tuple[str, ...] = tuple(par.index)
        self.nominal = pd.Series(par["nominalValue"].astype(float).values, index=par.index, name="nominalValue")
        self.scales = (par["parameterScale"] if "parameterScale" in par else pd.Series("lin", index=par.index))
        est = par["estimate"] if "estimate" in par else pd.Series(1, index=par.index)
        self.estimated = tuple(par.index[est.astype(int) == 1])
        m.initialise()
        self.model_defaults = {pid: m.value(pid) for pid in m.parameter_ids if pid not in m.assignment_rule_ids
                               and pid not in m.rate_rule_ids}
        # condition table: classify columns
        cond = p.condition_df
        self.condition_columns: dict[str, str] = {}
        for col in cond.columns:
            if col == "conditionName":
                continue
            self.condition_columns[col] = m.kinds.get(col, "other")
            if self.condition_columns[col] == "reaction":
                raise InputError(f"condition table column {col!r}", col, "a parameter, species or compartment id")
        # observables
        obs = p.observable_df
        petab = _petab()
        self.observables: dict[str, dict[str, Any]] = {}
        for i, (oid, row) in enumerate(obs.iterrows()):
            where = f"observable table row {i + 2} ({oid})"
            trans = row.get("observableTransformation", "lin")
            trans = "lin" if _is_empty(trans) else str(trans)
            noise = row.get("noiseDistribution", "normal")
            noise = "normal" if _is_empty(noise) else str(noise)
            if trans not in _TRANSFORMS:
                raise InputError(f"{where}, column observableTransformation", trans, f"one of {', '.join(_TRANSFORMS)}")
            if noise not in _NOISES:
                raise InputError(f"{where}, column noiseDistribution", noise, f"one of {', '.join(_NOISES)}")
            ofor, nfor = row["observableFormula"], row.get("noiseFormula", np.nan)
            if _is_empty(nfor):
                raise InputError(f"{where}, column noiseFormula", nfor, "a noise formula (a number or an expression)")
            self.observables[oid] = {
                "formula": _compile(ofor, f"{where}, column observableFormula"),
                "noise": _compile(nfor, f"{where}, column noiseFormula"),
                "obs_placeholders": petab.observables.get_formula_placeholders(str(ofor), oid, "observable"),
                "noise_placeholders": petab.observables.get_formula_placeholders(str(nfor), oid, "noise"),
                "transformation": trans, "distribution": noise}
        # model quantities that observables read from the trajectory
        needed: set[str] = set()
        for o in self.observables.values():
            for name in o["formula"].args + o["noise"].args:
                if m.has(name):
                    needed.add(name)
        self.selections = tuple(sorted(needed))
        # measurement table: condition pairs
        meas = p.measurement_df.reset_index(drop=True)
        if "preequilibrationConditionId" not in meas:
            meas["preequilibrationConditionId"] = ""
        meas["preequilibrationConditionId"] = meas["preequilibrationConditionId"].map(
            lambda x: "" if _is_empty(x) else str(x))
        self.measurements = meas
        self.pairs = list(dict.fromkeys(zip(meas["preequilibrationConditionId"], meas["simulationConditionId"])))
        split = petab.measurements.split_parameter_replacement_list
        self._overrides = {col: [split(v) for v in meas[col]] if col in meas else [[] for _ in range(len(meas))]
                           for col in ("observableParameters", "noiseParameters")}

    # -- parameters -------------------------------------------------------------------------------
    def parameter_values(self, parameters: Mapping[str, float] | None = None, *, scaled: bool = False) -> pd.Series:
        """Linear-scale values of every parameter-table parameter: nominal values updated by ``parameters``.

        ``scaled=True`` reads ``parameters`` on each parameter's ``parameterScale`` (lin, log, log10).
        """
        values = self.nominal.copy()
        for pid, v in dict(parameters or {}).items():
            if pid not in values.index:
                known = ", ".join(self.parameter_ids[:20]) + (", ..." if len(self.parameter_ids) > 20 else "")
                raise InputError("parameters", pid, f"an id of the parameter table ({known})")
            try:
                v = float(v)
            except (TypeError, ValueError):
                raise InputError(f"parameters[{pid!r}]", v, "a number") from None
            if scaled:
                scale = self.scales.get(pid, "lin")
                if scale not in _SCALES:
                    raise InputError(f"parameter table {pid!r}, column parameterScale", scale, "lin, log or log10")
                v = {"lin": v, "log": math.exp(v), "log10": 10.0 ** v}[scale]
            if not math.isfinite(v):
                raise InputError(f"parameters[{pid!r}]", v, "a finite number")
            values[pid] = v
        if values.isna().any():
            missing = list(values.index[values.isna()])
            raise InputError("parameter table, column nominalValue", missing, "numbers, or values passed as parameters")
        return values

    def _resolve(self, value: Any, values: pd.Series, where: str) -> float:
        if isinstance(value, (int, float, np.integer, np.floating)):
            return float(value)
        s = str(value).strip()
        try:
            return float(s)
        except ValueError:
            pass
        if s in values.index:
            return float(values[s])
        if s in self.model_defaults:
            return float(self.model_defaults[s])
        raise InputError(where, s, "a number or an id of the parameter table")

    def _condition(self, cid: str, values: pd.Series) -> dict[str, dict[str, float]]:
        out: dict[str, dict[str, float]] = {"parameter": {}, "species": {}, "compartment": {}, "other": {}}
        try:
            row = self.problem.condition_df.loc[cid]
        except KeyError:
            raise InputError("measurement table, condition id", cid, "an id of the condition table") from None
        for col, kind in self.condition_columns.items():
            val = row[col]
            if _is_empty(val):
                out[kind][col] = float("nan")
            else:
                out[kind][col] = self._resolve(val, values, f"condition table, condition {cid!r}, column {col!r}")
        return out

    def _model_parameters(self, cond: dict[str, dict[str, float]], values: pd.Series) -> dict[str, float]:
        m = self.model
        params = {pid: float(v) for pid, v in values.items() if m.kinds.get(pid) == "parameter"}
        for k, v in cond["parameter"].items():
            params[k] = self.model_defaults.get(k, float("nan")) if math.isnan(v) and k not in m.rate_rule_ids else v
        return params

    # -- evaluation -------------------------------------------------------------------------------
    def _simulate_pair(self, pre: str, sim: str, values: pd.Series, times: np.ndarray,
                       steady: bool) -> tuple[np.ndarray, np.ndarray | None, dict[str, float]]:
        m = self.model
        scond = self._condition(sim, values)
        sparams = self._model_parameters(scond, values)
        if pre:
            pcond = self._condition(pre, values)
            m.initialise(parameters=self._model_parameters(pcond, values), species=pcond["species"],
                         compartments=pcond["compartment"])
            preequilibrate(m, pre, getattr(self, "_preeq_cache", None))
            m.update(parameters=sparams, species=scond["species"], compartments=scond["compartment"])
        else:
            m.initialise(parameters=sparams, species=scond["species"], compartments=scond["compartment"])
        grid = np.unique(np.concatenate([[0.0], times]))
        traj = m.integrate(grid, selections=self.selections, stage="simulation") if self.selections else \
            np.zeros((len(grid), 0))
        idx = np.searchsorted(grid, times)
        finite = traj[idx]
        at_steady = None
        if steady:
            m.equilibrate(stage="steady-state measurement")
            at_steady = np.array([[m.value(s) for s in self.selections]])
        return finite, at_steady, scond["other"]

    def _symbol_values(self, names: tuple[str, ...], rows: np.ndarray, traj: np.ndarray, times: np.ndarray,
                       placeholders: dict[str, np.ndarray], other: dict[str, float], values: pd.Series,
                       extra: dict[str, np.ndarray], oid: str, what: str) -> list[Any]:
        col = {s: i for i, s in enumerate(self.selections)}
        out = []
        for name in names:
            if name in placeholders:
                out.append(placeholders[name])
            elif name in extra:
                out.append(extra[name])
            elif name in col:
                out.append(traj[:, col[name]])
            elif name in ("time", "t"):
                out.append(times)
            elif name in other and not math.isnan(other[name]):
                out.append(np.full(len(rows), other[name]))
            elif name in values.index:
                out.append(np.full(len(rows), float(values[name])))
            else:
                raise InputError(f"observable table, observable {oid!r}, {what}", name,
                                 "a model id, a parameter-table id, a condition-table column or a placeholder")
        return out

    def __call__(self, parameters: Mapping[str, float] | None = None, *, scaled: bool = False,
                 on_failure: Literal["record", "raise"] = "record") -> PetabResult:
        """Evaluate the problem.

        Parameters
        ----------
        parameters : values by parameter-table id; the others keep their ``nominalValue``.
        scaled : ``parameters`` are on each parameter's ``parameterScale``.
        on_failure : ``record`` a failed condition in :attr:`PetabResult.conditions` (χ² and
            log-likelihood become NaN) or ``raise`` its :class:`~mtorsim.SimulationError`.
        """
        if on_failure not in ("record", "raise"):
            raise InputError("on_failure", on_failure, "'record' or 'raise'")
        values = self.parameter_values(parameters, scaled=scaled)
        self._preeq_cache: dict[str, Any] = {}  # one steady state per pre-equilibration condition and call
        meas = self.measurements
        sim_values = np.full(len(meas), np.nan)
        chi2_rows = np.full(len(meas), np.nan)
        llh_rows = np.full(len(meas), np.nan)
        status = []
        pre_col, sim_col = meas["preequilibrationConditionId"].to_numpy(), meas["simulationConditionId"].to_numpy()
        time_col = meas["time"].to_numpy(dtype=float)
        for pre, sim in self.pairs:
            rows = np.flatnonzero((pre_col == pre) & (sim_col == sim))
            t = time_col[rows]
            fin = np.isfinite(t)
            try:
                finite, at_steady, other = self._simulate_pair(pre, sim, values, np.unique(t[fin]),
                                                               steady=bool((~fin).any()))
            except SimulationError as exc:
                if on_failure == "raise":
                    ctx = {**exc.context, "preequilibrationConditionId": pre or None, "simulationConditionId": sim}
                    raise SimulationError(exc.stage, exc.detail, context=ctx) from None
                status.append((pre, sim, "failed", str(exc), len(rows), np.nan, np.nan))
                continue
            grid = np.unique(t[fin])
            traj = np.empty((len(rows), len(self.selections)))
            traj[fin] = finite[np.searchsorted(grid, t[fin])]
            if at_steady is not None:
                traj[~fin] = at_steady
            self._observe(rows, traj, t, other, values, sim_values, chi2_rows, llh_rows)
            status.append((pre, sim, "ok", "", len(rows), float(np.sum(chi2_rows[rows])),
                           float(np.sum(llh_rows[rows]))))
        simulations = self.problem.measurement_df.reset_index(drop=True).copy()
        simulations = simulations.rename(columns={"measurement": "simulation"})
        simulations["simulation"] = sim_values
        conditions = pd.DataFrame(status, columns=["preequilibrationConditionId", "simulationConditionId", "status",
                                                   "message", "n_measurements", "chi2", "llh"])
        failed = (conditions["status"] != "ok").any()
        chi2 = float("nan") if failed else float(np.sum(chi2_rows))
        llh = float("nan") if failed else float(np.sum(llh_rows))
        return PetabResult(chi2=chi2, llh=llh, simulations=simulations, conditions=conditions,
                           parameters=values.rename("value"), problem=self.source)

    def _observe(self, rows: np.ndarray, traj: np.ndarray, t: np.ndarray, other: dict[str, float], values: pd.Series,
                 sim_values: np.ndarray, chi2_rows: np.ndarray, llh_rows: np.ndarray) -> None:
        meas = self.measurements
        obs_ids = meas["observableId"].to_numpy()[rows]
        for oid in dict.fromkeys(obs_ids):
            sub = np.flatnonzero(obs_ids == oid)
            r = rows[sub]
            o = self.observables.get(oid)
            if o is None:
                raise InputError("measurement table, column observableId", oid, "an id of the observable table")
            ph: dict[str, np.ndarray] = {}
            for kind, key in (("observableParameters", "obs_placeholders"), ("noiseParameters", "noise_placeholders")):
                names = o[key]
                for j, name in enumerate(names):
                    arr = np.empty(len(r))
                    for k, ri in enumerate(r):
                        lst = self._overrides[kind][ri]
                        if len(lst) != len(names):
                            raise InputError(f"measurement table row {ri + 2}, column {kind}", meas[kind].iloc[ri]
                                             if kind in meas else "", f"{len(names)} values separated by ';' "
                                             f"for observable {oid!r}")
                        arr[k] = self._resolve(lst[j], values, f"measurement table row {ri + 2}, column {kind}")
                    ph[name] = arr
            f = o["formula"]
            args = self._symbol_values(f.args, r, traj[sub], t[sub], ph, other, values, {}, oid, "observableFormula")
            y = np.broadcast_to(np.asarray(f.func(*args), dtype=float), (len(r),)).astype(float)
            n = o["noise"]
            args = self._symbol_values(n.args, r, traj[sub], t[sub], ph, other, values, {oid: y}, oid, "noiseFormula")
            sigma = np.broadcast_to(np.asarray(n.func(*args), dtype=float), (len(r),)).astype(float)
            mval = meas["measurement"].to_numpy(dtype=float)[r]
            sim_values[r] = y
            chi2, llh = _objective(mval, y, sigma, o["transformation"], o["distribution"])
            chi2_rows[r], llh_rows[r] = chi2, llh


def preequilibrate(m: SbmlModel, pre: str, cache: dict[str, Any] | None) -> None:
    """Bring the initialised model to its steady state, or restore the one reached before in this call.

    A PEtab problem usually shares one pre-equilibration condition among many simulation conditions;
    its steady state (floating species amounts and rate-rule parameters) is computed once per call.
    The restored state is exactly the one integrated before (same condition, same parameters).
    """
    rr = m.rr.model
    if cache is not None and pre in cache:
        amounts, idx, vals = cache[pre]
        if len(amounts):
            rr.setFloatingSpeciesAmounts(amounts)
        if len(idx):
            rr.setGlobalParameterValues(idx, vals)
        return
    m.equilibrate(stage="pre-equilibration")
    if cache is None or any(m.kinds.get(r) == "compartment" for r in m.rate_rule_ids):
        return
    gids = list(rr.getGlobalParameterIds())
    idx = np.array([gids.index(r) for r in sorted(m.rate_rule_ids) if r in gids], dtype=np.int32)
    vals = np.array(rr.getGlobalParameterValues(idx), dtype=float) if len(idx) else np.zeros(0)
    cache[pre] = (np.array(rr.getFloatingSpeciesAmounts(), dtype=float), idx, vals)


def _objective(m: np.ndarray, y: np.ndarray, sigma: np.ndarray, transformation: str,
               distribution: str) -> tuple[np.ndarray, np.ndarray]:
    """Per-measurement χ² contributions and log-likelihoods (see the module docstring)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        if transformation == "lin":
            hy, hm, jac = y, m, np.ones_like(m)
        elif transformation == "log":
            hy, hm, jac = np.log(y), np.log(m), m
        else:
            hy, hm, jac = np.log10(y), np.log10(m), m * np.log(10.0)
        res = (hy - hm) / sigma
        if distribution == "normal":
            llh = -0.5 * np.log(2 * np.pi * sigma ** 2 * jac ** 2) - 0.5 * res ** 2
        else:
            llh = -np.log(2 * sigma * jac) - np.abs(res)
    return res ** 2, llh


def evaluate_petab(problem: str | Path | Any, *, parameters: Mapping[str, float] | None = None,
                   scaled: bool = False, integrator: IntegratorOptions | None = None,
                   steady_state: SteadyStateOptions | None = None, lint: bool = True,
                   on_failure: Literal["record", "raise"] = "record") -> PetabResult:
    """Simulate a PEtab v1 problem with libRoadRunner and compute χ² and the log-likelihood.

    Parameters
    ----------
    problem : the problem's YAML file (or a ``petab.v1.Problem``).
    parameters : values by parameter-table id (linear scale unless ``scaled``); the others use
        ``nominalValue``. Default: all nominal values.

    Expert knobs
    ------------
    scaled : ``parameters`` are given on each parameter's ``parameterScale``.
    integrator, steady_state : CVODE and pre-equilibration settings
        (:class:`~mtorsim.simulate._sbml.IntegratorOptions`, :class:`~mtorsim.simulate._sbml.SteadyStateOptions`).
    lint : check the problem with ``petab.v1.lint_problem`` first.
    on_failure : ``record`` failed conditions in the result, or ``raise``.

    Returns
    -------
    PetabResult
        χ², log-likelihood, the PEtab simulation table and a per-condition status table.

    Raises
    ------
    InputError
        The problem is unreadable or invalid (the message names the table, row and column, or
        repeats petab's lint messages).

    Examples
    --------
    >>> res = evaluate_petab("Fujita_SciSignal2010.yaml")                  # doctest: +SKIP
    >>> res.llh, res.chi2                                                    # doctest: +SKIP
    """
    ev = PetabEvaluator(problem, integrator=integrator, steady_state=steady_state, lint=lint)
    return ev(parameters, scaled=scaled, on_failure=on_failure)

