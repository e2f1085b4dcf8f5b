"""The libRoadRunner engine for the mtorsim network: compile once per process, pre-equilibrate,
integrate piecewise-constant treatments.

Pre-equilibration: from the network's initial values the untreated model is integrated with
CVODE for up to ``PREEQ_HORIZONS`` hours, stopping at the first horizon where every state's rate
of change is below ``steady_tol`` (absolute, 1/h on states of order 1). If none does, a
:class:`~mtorsim._errors.SimulationError` names the stage and the largest remaining rate.
Steady states are cached per (parameters, medium), so conditions sharing a cell reuse them.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass

import numpy as np
import roadrunner

from .._errors import InputError, SimulationError
from ..model import Network, build_network, network_sbml
from ..model._export import OBS_PREFIX

PREEQ_HORIZONS = (500.0, 2000.0, 10000.0, 50000.0)
#: a failed simulation is retried once with rtol and atol divided by this factor ...
RETRY_TOLERANCE_FACTOR = 100.0
#: ... and this many times the CVODE step budget (see :meth:`Engine.tightened`)
RETRY_STEP_FACTOR = 10

roadrunner.Logger.setLevel(roadrunner.Logger.LOG_ERROR)


@dataclass(frozen=True)
class SolverOptions:
    """CVODE settings. ``rtol``/``atol``: relative/absolute tolerances; ``max_steps``: per output interval."""

    rtol: float = 1e-8
    atol: float = 1e-10
    max_steps: int = 50000
    steady_tol: float = 1e-9

    def __post_init__(self) -> None:
        for f in ("rtol", "atol", "steady_tol"):
            v = getattr(self, f)
            if not (isinstance(v, (int, float)) and 0 < v < 1):
                raise InputError(f"solver.{f}", v, "a number between 0 and 1")
        if not (isinstance(self.max_steps, int) and self.max_steps > 0):
            raise InputError("solver.max_steps", self.max_steps, "a positive integer")


def parameter_set_id(values: dict[str, float]) -> str:
    """A short, stable id of a full parameter vector (used in provenance)."""
    blob = json.dumps(sorted((k, float(v)) for k, v in values.items())).encode()
    return hashlib.sha256(blob).hexdigest()[:12]


class Engine:
    """A compiled model plus caches. Not thread-safe; one per process (see :func:`get_engine`).

    ``rr`` (expert): an already compiled :class:`roadrunner.RoadRunner` of ``network_sbml(net)``, e.g.
    unpickled in a worker process (~20 ms instead of ~0.5 s to compile); the solver options are
    applied to it.
    """

    def __init__(self, net: Network | None = None, options: SolverOptions | None = None, *,
                 rr: roadrunner.RoadRunner | None = None):
        self.net = net or build_network()
        self.options = options or SolverOptions()
        self.rr = roadrunner.RoadRunner(network_sbml(self.net)) if rr is None else rr
        self._configure()
        self.state_ids = list(self.rr.model.getFloatingSpeciesIds())
        self.observables = list(self.net.observables)
        self.obs_ids = [OBS_PREFIX + o for o in self.observables]
        self.defaults = {p.name: p.value for p in self.net.parameters.values()}
        self.initial_state = np.array([self.net.species[s].initial for s in self.state_ids])
        self._steady_cache: OrderedDict[str, np.ndarray] = OrderedDict()
        #: steady states kept (least recently used dropped first); 0 turns the cache off
        self.steady_cache_size = 512
        self.rr.timeCourseSelections = ["time"] + self.obs_ids
        # parameter id -> index among roadrunner's global parameters, for vectorised writes
        self._global_index = {k: i for i, k in enumerate(self.rr.model.getGlobalParameterIds())}
        self._index_cache: dict[tuple[str, ...], tuple[np.ndarray, tuple[str, ...]]] = {}
        self._input_names = tuple(k for k in self.defaults if k.startswith("u_"))

    def _configure(self) -> None:
        integ = self.rr.integrator
        integ.relative_tolerance = self.options.rtol
        integ.absolute_tolerance = self.options.atol
        integ.maximum_num_steps = self.options.max_steps

    # -- low level --------------------------------------------------------------------------------
    def _set_parameters(self, values: dict[str, float]) -> None:
        """Write parameter values in one vectorised call (``setValue`` per name costs ~2 µs each,
        ~0.4 ms for the full vector, a third of a simulation); the index arrays are cached per key
        tuple. Names that are not global parameters fall back to ``setValue``."""
        if not values:
            return
        keys = tuple(values)
        hit = self._index_cache.get(keys)
        if hit is None:
            idx = np.array([self._global_index[k] for k in keys if k in self._global_index], dtype=np.int32)
            other = tuple(k for k in keys if k not in self._global_index)
            hit = self._index_cache[keys] = (idx, other)
            if len(self._index_cache) > 4096:
                self._index_cache.clear()
        idx, other = hit
        if other:
            vals = np.array([float(values[k]) for k in keys if k in self._global_index], dtype=float)
            for k in other:
                self.rr.setValue(k, float(values[k]))
        else:
            vals = np.fromiter(values.values(), dtype=float, count=len(keys))
        if len(idx):
            self.rr.model.setGlobalParameterValues(idx, vals)

    def _set_state(self, state: np.ndarray) -> None:
        self.rr.model.setFloatingSpeciesConcentrations(np.asarray(state, dtype=float))

    def _state(self) -> np.ndarray:
        return np.array(self.rr.model.getFloatingSpeciesConcentrations(), dtype=float)

    def observe(self) -> np.ndarray:
        """Observable values at the current state."""
        return np.array([self.rr.getValue(o) for o in self.obs_ids])

    def check_parameters(self, overrides: dict[str, float]) -> None:
        for k, v in overrides.items():
            if k not in self.defaults:
                raise InputError("parameters", k, "a model parameter name (see mtorsim.model.build_network().parameters)")
            if not (isinstance(v, (int, float)) and np.isfinite(v) and v >= 0):
                raise InputError(f"parameters.{k}", v, "a finite, non-negative number")

    # -- pre-equilibration ------------------------------------------------------------------------
    def steady_state(self, params: dict[str, float], *, context: dict | None = None, key: Hashable | None = None) -> np.ndarray:
        """Untreated steady state for a full parameter mapping (cached).

        ``key`` (expert): a hashable that identifies ``params`` (e.g. cell, medium and overrides),
        saving the ~80 µs hash of the full mapping on every call; by default the parameter-set id.
        """
        key = parameter_set_id(params) if key is None else ("key", key)
        if key in self._steady_cache:
            self._steady_cache.move_to_end(key)
            return self._steady_cache[key]
        self._set_parameters(params)
        self._set_state(self.initial_state)
        t = 0.0
        worst = float("nan")
        for horizon in PREEQ_HORIZONS:
            try:
                self.rr.simulate(t, horizon, 2)
            except RuntimeError as exc:
                raise SimulationError("pre-equilibration", f"CVODE failed: {exc}", context=context) from None
            t = horizon
            state = self._state()
            rates = np.asarray(self.rr.model.getFloatingSpeciesConcentrationRates(), dtype=float)
            if not np.all(np.isfinite(state)):
                raise SimulationError("pre-equilibration", "non-finite state", context=context)
            worst = float(np.max(np.abs(rates)))
            if worst < self.options.steady_tol:
                break
        else:
            i = int(np.argmax(np.abs(rates)))
            raise SimulationError("pre-equilibration",
                                  f"no steady state after {PREEQ_HORIZONS[-1]:g} h: d{self.state_ids[i]}/dt = {rates[i]:.3g} "
                                  f"(tolerance {self.options.steady_tol:g}); the untreated model may oscillate",
                                  context=context)
        if np.any(state < -1e-9):
            raise SimulationError("pre-equilibration", f"negative steady state for {self.state_ids[int(np.argmin(state))]}", context=context)
        self._steady_cache[key] = state
        while len(self._steady_cache) > self.steady_cache_size:
            self._steady_cache.popitem(last=False)
        return state

    def clear_cache(self) -> None:
        """Forget cached steady states (e.g. to time a cold run)."""
        self._steady_cache.clear()

    def steady_observables(self, params: dict[str, float], *, context: dict | None = None,
                           key: Hashable | None = None) -> np.ndarray:
        state = self.steady_state(params, context=context, key=key)
        self._set_parameters(params)
        self._set_state(state)
        return self.observe()

    # -- treatment --------------------------------------------------------------------------------
    def run(self, params: dict[str, float], state0: np.ndarray, segments: list[tuple[float, float, dict[str, float]]],
            times: np.ndarray, *, context: dict | None = None) -> np.ndarray:
        """Integrate from ``state0`` through piecewise-constant ``segments`` (t0, t1, inputs) and return
        observables at ``times`` (array, shape (len(times), n_observables))."""
        self._set_parameters(params)
        self._set_state(state0)
        out = np.full((len(times), len(self.obs_ids)), np.nan)
        zero_inputs = {k: params[k] for k in self._input_names if k in params}
        for t0, t1, inputs in segments:
            self._set_parameters({**zero_inputs, **inputs})
            mask = (times >= t0) & (times <= t1)
            seg_times = np.unique(np.concatenate([[t0], times[mask], [t1]]))
            if len(seg_times) < 2:
                continue
            try:
                res = self.rr.simulate(times=list(seg_times))
            except RuntimeError as exc:
                raise SimulationError("treatment", f"CVODE failed between {t0:g} h and {t1:g} h: {exc}", context=context) from None
            arr = np.asarray(res)[:, 1:]
            if not np.all(np.isfinite(arr)):
                raise SimulationError("treatment", f"non-finite values between {t0:g} h and {t1:g} h", context=context)
            idx = np.searchsorted(seg_times, times[mask])
            out[mask] = arr[idx]
        return out

    def tightened(self) -> "Engine":
        """A twin engine with tighter CVODE settings, for one retry of a failed simulation.

        ``rtol`` and ``atol`` are divided by :data:`RETRY_TOLERANCE_FACTOR` and the step budget is
        multiplied by :data:`RETRY_STEP_FACTOR`. Why this helps: CVODE failures in this network come
        from (a) running out of steps on a stiff stretch (a larger budget fixes it) and (b) error-test
        or Newton failures after a large step overshoots a concentration below zero, where the
        fractional Hill terms are undefined (smaller tolerances force smaller steps that stay
        non-negative). It does not help a model that genuinely has no steady state (oscillations).
        Built once per engine from the pickled compiled model (no recompilation)."""
        twin = getattr(self, "_tight_twin", None)
        if twin is None:
            o = self.options
            tight = SolverOptions(rtol=max(o.rtol / RETRY_TOLERANCE_FACTOR, 1e-14),
                                  atol=max(o.atol / RETRY_TOLERANCE_FACTOR, 1e-16),
                                  max_steps=o.max_steps * RETRY_STEP_FACTOR, steady_tol=o.steady_tol)
            import pickle
            twin = Engine(self.net, tight, rr=pickle.loads(pickle.dumps(self.rr)))
            self._tight_twin = twin
        return twin


_local = threading.local()


def get_engine() -> Engine:
    """The process's engine (compiled on first use, ~0.5 s)."""
    eng = getattr(_local, "engine", None)
    if eng is None:
        eng = Engine()
        _local.engine = eng
    return eng
