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
from dataclasses import dataclass

import numpy as np
import roadrunner

from .._errors import InputError, SimulationError
from ..model import Network, build_network, network_sbml
from ..model._export import OBS_PREFIX

PREEQ_HORIZONS = (500.0, 2000.0, 10000.0, 50000.0)

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
    """A compiled model plus caches. Not thread-safe; one per process (see :func:`get_engine`)."""

    def __init__(self, net: Network | None = None, options: SolverOptions | None = None):
        self.net = net or build_network()
        self.options = options or SolverOptions()
        self.rr = roadrunner.RoadRunner(network_sbml(self.net))
        self._configure()
        self.state_ids = list(self.rr.model.getFloatingSpeciesIds())
        self.observables = list(self.net.observables)
        self.obs_ids = [OBS_PREFIX + o for o in self.observables]
        self.defaults = {p.name: p.value for p in self.net.parameters.values()}
        self.initial_state = np.array([self.net.species[s].initial for s in self.state_ids])
        self._steady_cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self.rr.timeCourseSelections = ["time"] + self.obs_ids

    def _configure(self) -> None:
        integ = self.rr.integrator
        integ.relative_tolerance = self.options.rtol
        integ.absolute_tolerance = self.options.atol
        integ.maximum_num_steps = self.options.max_steps

    # -- low level --------------------------------------------------------------------------------
    def _set_parameters(self, values: dict[str, float]) -> None:
        for k, v in values.items():
            self.rr.setValue(k, float(v))

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
    def steady_state(self, params: dict[str, float], *, context: dict | None = None) -> np.ndarray:
        """Untreated steady state for a full parameter mapping (cached)."""
        key = parameter_set_id(params)
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
        if len(self._steady_cache) > 512:
            self._steady_cache.popitem(last=False)
        return state

    def steady_observables(self, params: dict[str, float], *, context: dict | None = None) -> np.ndarray:
        state = self.steady_state(params, context=context)
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
        zero_inputs = {k: v for k, v in params.items() if k.startswith("u_")}
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


_local = threading.local()


def get_engine() -> Engine:
    """The process's engine (compiled on first use, ~0.5 s)."""
    eng = getattr(_local, "engine", None)
    if eng is None:
        eng = Engine()
        _local.engine = eng
    return eng
