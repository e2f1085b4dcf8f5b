"""``simulate_many(conditions, model=...)``: the worker strategy and conditions table for any SBML model.

The shared machinery (chunking, backends, streaming, resuming, failure summary) lives in
:mod:`._many`; this module supplies what differs: how rows are read (``param:<id>``,
``init:<species>``), what a worker holds (one :class:`SbmlModel`, shipped pickled: ~10-30 ms to load
instead of 0.1-1 s to compile) and how one condition is run (:func:`._sbml_run.run_condition`, the
same code as :func:`~mtorsim.simulate_sbml`).

Failures
    A condition that fails (CVODE error, too many steps, non-finite values, no steady state) is
    retried once with ``rtol`` and ``atol`` divided by 100 and ten times the step budget (it helps
    when CVODE ran out of steps on a stiff stretch or overshot below zero; it does not help a model
    that has no steady state); if that fails too its values are NaN, its ``status`` is ``failed``
    and ``error`` holds the solver's message.
"""

from __future__ import annotations

import math
import pickle
from dataclasses import dataclass

import numpy as np
import xarray as xr

from .._errors import InputError
from ._many import (COL_ID, LABEL_PREFIX, _condition_coords, _row_id, run_chunk, PARAM_PREFIX, _Accumulator, _Chunk, _failure_summary,
                    _inputs_sha, _Job, _missing, _records, _status_variables, _where)
from ._sbml import IntegratorOptions, SbmlModel, _restore
from ._sbml_run import (_as_changes, check_changes, check_selections, get_model, model_sha,
                        model_times, provenance, quantities, run_condition)

INIT_PREFIX = "init:"
#: column -> meaning, for tables of SBML conditions (``param:``, ``init:`` and ``label:`` columns come on top)
SBML_CONDITION_COLUMNS: dict[str, str] = {
    COL_ID: "optional; unique name of the condition (default: the row number)",
    "param:<id>": "a global parameter's value (empty = the file's value)",
    "init:<id>": "a species' initial concentration (amount with only substance units; empty = the file's value)",
    "label:<name>": "any annotation, carried as the coordinate <name>",
}
RETRY_TOLERANCE_FACTOR = 100.0
RETRY_STEP_FACTOR = 10


@dataclass(frozen=True)
class SbmlCondition:
    parameters: tuple[tuple[str, float], ...]
    species: tuple[tuple[str, float], ...]

    @property
    def pre_key(self) -> tuple:
        return (self.parameters, self.species)


class SbmlWorker:
    """One compiled SBML model plus the settings shared by every row; pickles to itself."""

    def __init__(self, model: SbmlModel, selections: list[str], preequilibrate: bool, changes: tuple):
        self.model, self.selections, self.preequilibrate, self.changes = model, selections, preequilibrate, changes
        self._tight: SbmlModel | None = None

    def __getstate__(self) -> dict:
        return {"model": self.model, "selections": self.selections, "preequilibrate": self.preequilibrate,
                "changes": self.changes}

    def __setstate__(self, state: dict) -> None:
        self.__init__(**state)

    def build(self) -> "SbmlWorker":
        return self

    def tightened(self) -> SbmlModel:
        if self._tight is None:
            m, o = self.model, self.model.integrator_options
            opts = IntegratorOptions(rtol=max(o.rtol / RETRY_TOLERANCE_FACTOR, 1e-14),
                                     atol=max(o.atol / RETRY_TOLERANCE_FACTOR, 1e-16),
                                     max_steps=o.max_steps * RETRY_STEP_FACTOR, stiff=o.stiff)
            self._tight = _restore(m.sbml_text, m.source, pickle.loads(pickle.dumps(m.rr)), opts,
                                   m.steady_state_options)
        return self._tight

    def _one(self, m: SbmlModel, cond: SbmlCondition, times: np.ndarray):
        return run_condition(m, times, self.selections, parameters=dict(cond.parameters), species=dict(cond.species),
                             preequilibrate=self.preequilibrate, changes=self.changes)

    def simulate_chunk(self, chunk: _Chunk) -> dict:
        return run_chunk(chunk, len(self.selections),
                         lambda cond: self._one(self.model, cond, chunk.times),
                         lambda cond: self._one(self.tightened(), cond, chunk.times))


def _number(i: int, rec: dict, col: str, v) -> float:
    if isinstance(v, str):
        try:
            v = float(v)
        except ValueError:
            pass
    if isinstance(v, bool) or not isinstance(v, (int, float, np.integer, np.floating)) or math.isnan(float(v)):
        raise InputError(_where(i, rec, col), v, "a number (or empty for the file's value)")
    return float(v)


def _plan(conditions, m: SbmlModel):
    recs, cols = _records(conditions, known={COL_ID: SBML_CONDITION_COLUMNS[COL_ID]},
                          prefixes=(PARAM_PREFIX, INIT_PREFIX, LABEL_PREFIX), required=None)
    param_cols = [c for c in cols if c.startswith(PARAM_PREFIX)]
    init_cols = [c for c in cols if c.startswith(INIT_PREFIX)]
    label_cols = [c for c in cols if c.startswith(LABEL_PREFIX)]
    for c, prefix, kind in [*((c, PARAM_PREFIX, "parameter") for c in param_cols),
                            *((c, INIT_PREFIX, "species") for c in init_cols)]:
        name = c[len(prefix):]
        if m.kinds.get(name) != kind or name in m.assignment_rule_ids:
            raise InputError("conditions.columns", c, f"{prefix}<id> with the id of a {kind} of {m.source} not "
                             "defined by an assignment rule")
    plans, ids = [], []
    for i, rec in enumerate(recs):
        p = {c[len(PARAM_PREFIX):]: _number(i, rec, c, rec[c]) for c in param_cols if not _missing(rec.get(c))}
        s = {c[len(INIT_PREFIX):]: _number(i, rec, c, rec[c]) for c in init_cols if not _missing(rec.get(c))}
        plans.append(SbmlCondition(tuple(sorted(p.items())), tuple(sorted(s.items()))))
        if COL_ID in cols:
            ids.append(_row_id(i, rec))
    coords = _condition_coords(recs, ids, label_cols)
    for c in param_cols:
        coords[c] = np.array([dict(q.parameters).get(c[len(PARAM_PREFIX):], np.nan) for q in plans], dtype=float)
    for c in init_cols:
        coords[c] = np.array([dict(q.species).get(c[len(INIT_PREFIX):], np.nan) for q in plans], dtype=float)
    return plans, coords


def sbml_job(conditions, model, *, times, t_end, hours, n_points, preequilibrate, events, selections, solver) -> _Job:
    if solver is not None and not isinstance(solver, IntegratorOptions):
        raise InputError("solver", solver, "an IntegratorOptions (with model=)")
    m = get_model(model, solver)
    t = model_times(m, times, t_end, hours, n_points)
    sel = check_selections(m, selections)
    changes = _as_changes(events)
    check_changes(m, changes)
    if not isinstance(preequilibrate, bool):
        raise InputError("preequilibrate", preequilibrate, "True or False")
    plans, coords = _plan(conditions, m)
    worker = SbmlWorker(m, sel, preequilibrate, changes)
    settings = ("sbml", model_sha(m), preequilibrate, changes, tuple(sel))
    sha = _inputs_sha(plans, coords, t, repr(settings), m.integrator_options, [])

    def blob() -> tuple[str, bytes]:
        b = pickle.dumps(worker)
        return f"sbml-{sha[:8]}-{hash(b) & 0xFFFFFFFF:08x}", b

    def assemble(acc: _Accumulator) -> xr.Dataset:
        q = quantities(m, sel)
        names, status_vars = _status_variables(acc)
        data_vars = {s: xr.Variable(("condition", "time"), acc.values[j], attrs={"quantity": q[s]})
                     for j, s in enumerate(sel)}
        data_vars.update(status_vars)
        cc = {"condition": ("condition", coords["condition"]),
              "time": xr.Variable(("time",), t, attrs={"units": m.time_units, "long_name": "model time"}),
              "parameter_set_id": ("condition", acc.psid.astype(str))}
        for k, v in coords.items():
            if k != "condition":
                cc[k] = ("condition", v)
        ds = xr.Dataset(data_vars, coords=cc)
        ds.attrs.update(provenance(m, preequilibrate, changes))
        ds.attrs["solver"] += " (failed conditions retried once with tighter settings)"
        ds.attrs.update(_failure_summary(names, acc.errors))
        return ds

    return _Job(plans, t, sel, sha, {"observables": sel, "model_sha256": model_sha(m)}, worker, blob, assemble)
