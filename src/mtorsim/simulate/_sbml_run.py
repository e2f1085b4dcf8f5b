"""``simulate_sbml()``: any SBML model (a BioModels file, your own network) as one labelled time course.

Why a separate function rather than ``simulate(model=...)``
    :func:`~mtorsim.simulate` speaks mtorsim's biology: a cell line, drugs with doses and units, a
    medium, outputs normalised to a reference cell, time in hours. None of that exists for an
    arbitrary SBML file, whose inputs are its own parameter and species ids and whose time is in the
    model's own unit. One function with two disjoint sets of arguments would accept combinations
    that mean nothing (``cell=`` with ``model=``), so each gets its own entry point with arguments
    that all apply. The conditions table of :func:`~mtorsim.simulate_many` has the same split: with
    ``model=`` its columns are ``param:<id>`` and ``init:<species>``.

The run of one condition (:func:`run_condition`) is the same code in ``simulate_sbml`` and in the
workers of ``simulate_many(model=...)``, so an ensemble reproduces a loop of ``simulate_sbml`` bit for bit.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import roadrunner
import xarray as xr

from .._errors import InputError
from .._units import parse_duration_hours
from .._version import versions
from ._sbml import IntegratorOptions, SbmlModel

__all__ = ["TimedChange", "simulate_sbml"]

_CACHE: OrderedDict[tuple, SbmlModel] = OrderedDict()
_CACHE_SIZE = 8


@dataclass(frozen=True)
class TimedChange:
    """Values set at a time during a simulation (a bolus, a medium change, a washout).

    Parameters
    ----------
    time : when, in the model's time units (after any pre-equilibration, from the first output time).
    values : ``{id: value}`` for species (concentration; amount for species with only substance
        units), parameters or compartments; applied without re-evaluating initial assignments.

    The SBML model's own events always fire as well; these are changes given as data (STYLE §3).
    """

    time: float
    values: Mapping[str, float]

    def __post_init__(self) -> None:
        if isinstance(self.time, bool) or not isinstance(self.time, (int, float)) or not math.isfinite(self.time):
            raise InputError("TimedChange.time", self.time, "a finite number (model time units)")
        if not isinstance(self.values, Mapping) or not self.values:
            raise InputError("TimedChange.values", self.values, "a non-empty {id: value} mapping")
        for k, v in self.values.items():
            if isinstance(v, bool) or not isinstance(v, (int, float, np.floating)) or not math.isfinite(v):
                raise InputError(f"TimedChange.values[{k!r}]", v, "a finite number")
        object.__setattr__(self, "time", float(self.time))
        object.__setattr__(self, "values", tuple(sorted((str(k), float(v)) for k, v in self.values.items())))


def _as_changes(events) -> tuple[TimedChange, ...]:
    if events is None:
        return ()
    if isinstance(events, (TimedChange, Mapping)) or isinstance(events, (str, bytes)):
        events = [events]
    out = []
    for i, e in enumerate(events):
        if isinstance(e, TimedChange):
            out.append(e)
        elif isinstance(e, Sequence) and len(e) == 2:
            out.append(TimedChange(e[0], e[1]))
        else:
            raise InputError(f"events[{i}]", e, "a TimedChange or a (time, {id: value}) pair")
    return tuple(sorted(out, key=lambda c: c.time))


def get_model(model: str | Path | SbmlModel, solver: IntegratorOptions | None = None) -> SbmlModel:
    """A compiled :class:`SbmlModel` for a path, an SBML string or a model (cached by content and solver)."""
    if solver is not None and not isinstance(solver, IntegratorOptions):
        raise InputError("solver", solver, "an IntegratorOptions")
    if isinstance(model, SbmlModel):
        if solver is None or solver == model.integrator_options:
            return model
        text, source = model.sbml_text, model.source
    elif isinstance(model, (str, Path)):
        if isinstance(model, Path) or "<" not in model:
            path = Path(model)
            if not path.is_file():
                raise InputError("model", str(model), "an SBML file that exists, an SBML document as a string, "
                                 "or an SbmlModel")
            text, source = path.read_text(), str(path)
        else:
            text, source = model, "<string>"
    else:
        raise InputError("model", type(model).__name__, "a path to an SBML file, an SBML string or an SbmlModel")
    opts = solver or IntegratorOptions()
    key = (hashlib.sha256(text.encode()).hexdigest(), opts, source)
    m = _CACHE.get(key)
    if m is None:
        m = SbmlModel(text, integrator=opts)
        m.source = source
        _CACHE[key] = m
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    else:
        _CACHE.move_to_end(key)
    return m


def model_times(m: SbmlModel, times, t_end, hours, n_points) -> np.ndarray:
    """Output times in model units from ``times``, ``t_end`` (model units) or ``hours``."""
    given = [n for n, v in (("times", times), ("t_end", t_end), ("hours", hours)) if v is not None]
    if len(given) > 1:
        raise InputError(given[1], locals()[given[1]], f"left out when {given[0]} is given (give one of times, "
                         "t_end, hours)")
    if times is not None:
        t = np.asarray(list(times), dtype=float)
        if t.ndim != 1 or len(t) == 0 or not np.all(np.isfinite(t)) or np.any(np.diff(t) <= 0):
            raise InputError("times", times, "a non-empty, strictly increasing sequence of finite times (model units)")
        return t
    if not (isinstance(n_points, int) and not isinstance(n_points, bool) and n_points >= 2):
        raise InputError("n_points", n_points, "an integer >= 2")
    if hours is not None:
        h = parse_duration_hours(hours, field="hours")
        if m.seconds_per_time_unit is None:
            raise InputError("hours", hours, f"times or t_end in model time units: {m.source} does not declare "
                             "its time unit")
        end = h * 3600.0 / m.seconds_per_time_unit
    elif t_end is not None:
        if isinstance(t_end, bool) or not isinstance(t_end, (int, float)) or not (math.isfinite(t_end) and t_end > 0):
            raise InputError("t_end", t_end, "a finite positive duration in model time units")
        end = float(t_end)
    else:
        raise InputError("times", None, "output times: give times, t_end (model time units) or hours")
    return np.linspace(0.0, end, n_points)


def default_selections(m: SbmlModel) -> list[str]:
    """Every species, then every parameter defined by an assignment rule (often the observables)."""
    return [*m.species_ids, *(p for p in m.parameter_ids if p in m.assignment_rule_ids)]


def check_selections(m: SbmlModel, selections) -> list[str]:
    if selections is None:
        return default_selections(m)
    if isinstance(selections, str):
        selections = [selections]
    sel = [str(s) for s in selections]
    for s in sel:
        if not m.has(s):
            raise InputError("selections", s, f"ids of species, parameters, compartments or reactions of {m.source}")
    if len(set(sel)) != len(sel):
        raise InputError("selections", sel, "unique ids")
    return sel


def check_overrides(m: SbmlModel, name: str, values, kinds: tuple[str, ...]) -> dict[str, float]:
    if values is None:
        return {}
    if not isinstance(values, Mapping):
        raise InputError(name, values, "a mapping from model ids to numbers")
    out = {}
    for k, v in values.items():
        if m.kinds.get(k) not in kinds or k in m.assignment_rule_ids:
            raise InputError(f"{name}[{k!r}]", k, f"an id of a {' or '.join(kinds)} of {m.source} not defined by an "
                             "assignment rule")
        if isinstance(v, bool) or not isinstance(v, (int, float, np.floating)) or math.isnan(v):
            raise InputError(f"{name}[{k!r}]", v, "a number")
        out[str(k)] = float(v)
    return out


def check_changes(m: SbmlModel, changes: tuple[TimedChange, ...]) -> None:
    for i, c in enumerate(changes):
        for k, _ in c.values:
            if m.kinds.get(k) not in ("species", "parameter", "compartment") or k in m.assignment_rule_ids:
                raise InputError(f"events[{i}].values[{k!r}]", k, f"an id of a species, parameter or compartment of "
                                 f"{m.source} not defined by an assignment rule")


def _apply(m: SbmlModel, change: TimedChange) -> None:
    kinds = {"species": {}, "parameter": {}, "compartment": {}}
    for k, v in change.values:
        kinds[m.kinds[k]][k] = v
    m.update(parameters=kinds["parameter"], species=kinds["species"], compartments=kinds["compartment"])


def run_condition(m: SbmlModel, times: np.ndarray, selections: list[str], *, parameters: Mapping[str, float],
                  species: Mapping[str, float], preequilibrate: bool, changes: tuple[TimedChange, ...]
                  ) -> tuple[np.ndarray, str]:
    """Values of ``selections`` at ``times`` (array (time, selection)) and the id of the initial
    parameter vector (:func:`parameter_vector_id`); raises SimulationError.

    Initialise (file values, then ``parameters`` and ``species``), optionally reach a steady state,
    then integrate from ``times[0]``, applying timed changes between segments. Outputs at the time
    of a change show the value after it.
    """
    m.initialise(parameters=parameters, species=species)
    psid = parameter_vector_id(m)
    if preequilibrate:
        m.equilibrate()
    t0, t1 = float(times[0]), float(times[-1])
    for c in changes:
        if c.time <= t0:
            _apply(m, c)
    later = [c for c in changes if t0 < c.time <= t1]
    if not later:
        return m.integrate(times, selections=selections), psid
    out = np.empty((len(times), len(selections)))
    bounds = sorted({t0, *(c.time for c in later), t1})
    for a, b in zip(bounds[:-1], bounds[1:]):
        last = b == t1
        mask = (times >= a) & ((times <= b) if last else (times < b))
        grid = np.unique(np.concatenate([[a], times[mask], [b]]))
        vals = m.integrate(grid, selections=selections)
        idx = np.searchsorted(grid, times[mask])
        out[mask] = vals[idx]
        for c in later:
            if c.time == b:
                _apply(m, c)
    if t1 in {c.time for c in later}:   # right-continuous: the last output shows the change at t1
        out[-1] = m.integrate([t1], selections=selections)[0]
    return out, psid


def parameter_vector_id(m: SbmlModel) -> str:
    """A short id of the model's full parameter vector as it is now (after initialisation)."""
    h = hashlib.sha256(" ".join(m.parameter_ids).encode())
    h.update(np.asarray(m.rr.model.getGlobalParameterValues(), dtype=float).tobytes())
    return h.hexdigest()[:12]


def model_sha(m: SbmlModel) -> str:
    sha = getattr(m, "_sha256", None)
    if sha is None:
        sha = m._sha256 = hashlib.sha256(m.sbml_text.encode()).hexdigest()
    return sha


def quantities(m: SbmlModel, selections: list[str]) -> dict[str, str]:
    out = {}
    for s in selections:
        k = m.kind(s)
        if k == "species":
            out[s] = "amount" if m.rr.getHasOnlySubstanceUnits(s) else "concentration"
        elif s in m.assignment_rule_ids:
            out[s] = f"{k} (assignment rule)"
        else:
            out[s] = k
    return out


def provenance(m: SbmlModel, preequilibrate: bool, changes: tuple[TimedChange, ...]) -> dict:
    o = m.integrator_options
    return {
        "model": m.source, "model_id": m.model_id, "model_sha256": model_sha(m), "time_units": m.time_units,
        "preequilibrated": int(bool(preequilibrate)),
        "timed_changes": json.dumps([[c.time, dict(c.values)] for c in changes]),
        "solver": f"libRoadRunner {roadrunner.__version__} CVODE ({'BDF' if o.stiff else 'Adams'}) rtol={o.rtol:g} "
                  f"atol={o.atol:g} max_steps={o.max_steps}",
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        **{f"version_{k}": v for k, v in versions().items()},
    }


def simulate_sbml(model: str | Path | SbmlModel, *, parameters: Mapping[str, float] | None = None,
                  species: Mapping[str, float] | None = None, times: Sequence[float] | None = None,
                  t_end: float | None = None, hours: float | str | None = None, n_points: int = 101,
                  preequilibrate: bool = False, events: Sequence[TimedChange | tuple] | None = None,
                  selections: Sequence[str] | None = None, solver: IntegratorOptions | None = None) -> xr.Dataset:
    """Simulate any SBML model and return a labelled time course.

    Parameters
    ----------
    model : path to an SBML file, the SBML document as a string, or an
        :class:`~mtorsim.simulate.SbmlModel`. Compiled models are cached (by content and solver),
        so repeated calls do not recompile.
    parameters : ``{parameter id: value}``; initial assignments that use them are re-evaluated.
    species : ``{species id: initial concentration}`` (amount for species with only substance
        units); they win over the model's initial assignments.
    times : output times in the **model's time unit** (the first is the start). Or ``t_end`` (model
        units) with ``n_points`` evenly spaced times from 0, or ``hours`` (e.g. ``2`` or ``"90min"``),
        converted with the time unit the model declares (an error when it declares none).

    Expert knobs
    ------------
    preequilibrate : start from the steady state reached under the same ``parameters`` and
        ``species`` (integrated until every ``|dx/dt| <= atol + rtol·|x|``, see
        :class:`~mtorsim.simulate.SteadyStateOptions`); time then restarts at ``times[0]``.
    events : timed changes as data, :class:`TimedChange` or ``(time, {id: value})`` pairs (e.g. a
        bolus ``(30, {"EGF": 10})``). The model's own SBML events always fire too.
    selections : ids to record (default: every species, then every parameter defined by an
        assignment rule); species are concentrations unless they have only substance units.
    solver : :class:`~mtorsim.simulate.IntegratorOptions` (CVODE tolerances, step limit).

    Returns
    -------
    xarray.Dataset
        One variable per selected id over ``time`` (``units`` attr: the model's time unit, also in
        ``attrs['time_units']``); each variable's ``quantity``; provenance in ``attrs`` (model
        source, id and SHA-256, overrides, ``parameter_set_id`` of the full parameter vector,
        solver, versions, creation time).

    Raises
    ------
    InputError : unknown id, bad value or bad times. SimulationError : the solver failed (``stage``).

    Examples
    --------
    >>> ds = mtorsim.simulate_sbml("BIOMD0000000640.xml", t_end=120, parameters={"k1": 0.2})   # doctest: +SKIP
    >>> ds["pAkt"].sel(time=60).item()                                                           # doctest: +SKIP
    """
    m = get_model(model, solver)
    t = model_times(m, times, t_end, hours, n_points)
    params = check_overrides(m, "parameters", parameters, ("parameter",))
    init = check_overrides(m, "species", species, ("species",))
    sel = check_selections(m, selections)
    changes = _as_changes(events)
    check_changes(m, changes)
    if not isinstance(preequilibrate, bool):
        raise InputError("preequilibrate", preequilibrate, "True or False")
    values, psid = run_condition(m, t, sel, parameters=params, species=init, preequilibrate=preequilibrate, changes=changes)
    q = quantities(m, sel)
    ds = xr.Dataset({s: ("time", values[:, i], {"quantity": q[s]}) for i, s in enumerate(sel)},
                    coords={"time": ("time", t, {"units": m.time_units, "long_name": "model time"})})
    ds.attrs.update(provenance(m, preequilibrate, changes))
    ds.attrs.update({"parameter_set": "file" if not (params or init) else "file+overrides",
                     "parameter_set_id": psid,
                     "parameters": json.dumps(params), "species": json.dumps(init)})
    return ds
