"""A small engine wrapper for *any* SBML model with libRoadRunner.

:class:`SbmlModel` compiles an SBML model once and then runs it many times under different
settings: parameter values, initial concentrations, compartment sizes, an optional
pre-equilibration. It is the engine behind :func:`mtorsim.calibrate.evaluate_petab` and is useful
on its own for published models (BioModels) that are not the mtorsim network.

Initialisation (what "reset" means here)
    :meth:`SbmlModel.initialise` resets everything to the SBML file's values
    (``reset(SelectionRecord.ALL)``), writes new parameter values as the model's *initial* values
    and resets again with flags that re-evaluate initial assignments (of species and parameters)
    from them, so a parameter used by an initial assignment takes effect (see
    ``shared/ENGINES.md``). Compartment sizes go through roadrunner's stored initial conditions, so
    species given by concentration keep their concentration. State overrides (species, and
    rate-rule targets) are written last and win over the model's initial assignments.

Steady state (pre-equilibration) strategy
    The model is integrated with CVODE from its current state over growing horizons
    (``first_horizon``, ×10, … up to ``max_time`` model time units). After each horizon the rates
    of change of every state variable are checked; the state counts as steady when
    ``|dx/dt| <= atol + rtol·|x|`` for every state ``x``. If that never happens a
    :class:`~mtorsim._errors.SimulationError` (stage ``pre-equilibration``) names the state with the
    largest remaining rate. Integrating, rather than Newton's method, is robust to conservation laws
    and finds the steady state that the dynamics actually reach.

Events are handled by roadrunner as in any roadrunner simulation (they fire during integration,
including after a pre-equilibration).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

import numpy as np
import roadrunner
import xarray as xr
from roadrunner import SelectionRecord

from .._errors import InputError, SimulationError

roadrunner.Logger.setLevel(roadrunner.Logger.LOG_ERROR)

# reset flags that set parameters to their (model-level) initial values, re-evaluate initial
# assignments of parameters and species from them, and reset time, rate-rule states and species
_RESET_FROM_INIT = (SelectionRecord.TIME | SelectionRecord.RATE | SelectionRecord.FLOATING
                    | SelectionRecord.DEPENDENT_INITIAL_GLOBAL_PARAMETER)

__all__ = ["IntegratorOptions", "Overrides", "SbmlModel", "SteadyStateOptions"]


def _positive(name: str, value: object, *, below_one: bool = False) -> None:
    ok = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value) and value > 0
    if ok and below_one:
        ok = value < 1
    if not ok:
        raise InputError(name, value, "a finite number between 0 and 1" if below_one else "a finite positive number")


@dataclass(frozen=True)
class IntegratorOptions:
    """CVODE settings of :class:`SbmlModel`.

    Parameters
    ----------
    rtol : relative tolerance.
    atol : absolute tolerance (roadrunner applies it to amounts).
    max_steps : maximum number of internal CVODE steps between two output times.
    stiff : use the BDF (stiff) method; ``False`` selects Adams-Moulton.
    """

    rtol: float = 1e-8
    atol: float = 1e-12
    max_steps: int = 100_000
    stiff: bool = True

    def __post_init__(self) -> None:
        _positive("IntegratorOptions.rtol", self.rtol, below_one=True)
        _positive("IntegratorOptions.atol", self.atol, below_one=True)
        if not (isinstance(self.max_steps, int) and not isinstance(self.max_steps, bool) and self.max_steps > 0):
            raise InputError("IntegratorOptions.max_steps", self.max_steps, "a positive integer")
        if not isinstance(self.stiff, bool):
            raise InputError("IntegratorOptions.stiff", self.stiff, "True or False")


@dataclass(frozen=True)
class SteadyStateOptions:
    """How a steady state is found: integrate over growing horizons until ``|dx/dt| <= atol + rtol·|x|``.

    Parameters
    ----------
    rtol, atol : relative and absolute tolerance on the rates of change (per model time unit).
    first_horizon : length of the first integration horizon (model time units); each further
        horizon is ten times longer.
    max_time : total integration time after which the search gives up (model time units).
    """

    rtol: float = 1e-8
    atol: float = 1e-11
    first_horizon: float = 10.0
    max_time: float = 1e10

    def __post_init__(self) -> None:
        _positive("SteadyStateOptions.rtol", self.rtol, below_one=True)
        _positive("SteadyStateOptions.atol", self.atol, below_one=True)
        _positive("SteadyStateOptions.first_horizon", self.first_horizon)
        _positive("SteadyStateOptions.max_time", self.max_time)
        if self.max_time < self.first_horizon:
            raise InputError("SteadyStateOptions.max_time", self.max_time, f">= first_horizon ({self.first_horizon})")


def _frozen_mapping(name: str, value: Mapping[str, float] | None) -> Mapping[str, float]:
    if value is None:
        return MappingProxyType({})
    if not isinstance(value, Mapping):
        raise InputError(name, value, "a mapping from model ids to numbers")
    out = {}
    for k, v in value.items():
        try:
            out[str(k)] = float(v)
        except (TypeError, ValueError):
            raise InputError(f"{name}[{k!r}]", v, "a number") from None
    return MappingProxyType(out)


@dataclass(frozen=True)
class Overrides:
    """Values applied to a model before a simulation phase (e.g. a pre-equilibration condition).

    Parameters
    ----------
    parameters : global parameter values by id.
    species : species concentrations by id (amounts for species with only substance units).
        ``NaN`` keeps the current value (after a pre-equilibration: the steady-state value).
    compartments : compartment sizes by id.
    """

    parameters: Mapping[str, float] = field(default_factory=dict)
    species: Mapping[str, float] = field(default_factory=dict)
    compartments: Mapping[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name in ("parameters", "species", "compartments"):
            object.__setattr__(self, name, _frozen_mapping(f"Overrides.{name}", getattr(self, name)))


class SbmlModel:
    """An SBML model compiled once by libRoadRunner, run many times under different settings.

    Parameters
    ----------
    sbml : path to an SBML file, or the SBML document as a string.

    Expert knobs
    ------------
    integrator : :class:`IntegratorOptions` (CVODE tolerances, step limit).
    steady_state : :class:`SteadyStateOptions` (the pre-equilibration strategy).

    Attributes
    ----------
    species_ids, parameter_ids, compartment_ids, reaction_ids : the model's ids (tuples).
    kinds : read-only mapping of every id to ``species``, ``parameter``, ``compartment`` or ``reaction``.
    rr : the underlying ``roadrunner.RoadRunner`` (for what this wrapper does not cover).

    Examples
    --------
    >>> m = SbmlModel("BIOMD0000000640.xml")                               # doctest: +SKIP
    >>> ds = m.simulate([0, 10, 60], parameters={"k1": 0.2})               # doctest: +SKIP
    >>> ds["Akt"].sel(time=60).item()                                      # doctest: +SKIP
    """

    def __init__(self, sbml: str | Path, *, integrator: IntegratorOptions | None = None,
                 steady_state: SteadyStateOptions | None = None):
        integrator = IntegratorOptions() if integrator is None else integrator
        steady_state = SteadyStateOptions() if steady_state is None else steady_state
        if not isinstance(integrator, IntegratorOptions):
            raise InputError("integrator", integrator, "an IntegratorOptions")
        if not isinstance(steady_state, SteadyStateOptions):
            raise InputError("steady_state", steady_state, "a SteadyStateOptions")
        self.integrator_options = integrator
        self.steady_state_options = steady_state
        src = sbml
        if isinstance(sbml, Path) or (isinstance(sbml, str) and "<" not in sbml):
            path = Path(sbml)
            if not path.is_file():
                raise InputError("sbml", str(sbml), "an SBML file that exists, or an SBML document as a string")
            src = path.read_text()
            self.source = str(path)
        else:
            self.source = "<string>"
        if not isinstance(src, str):
            raise InputError("sbml", type(src).__name__, "a path to an SBML file, or an SBML document as a string")
        #: the SBML document the model was compiled from
        self.sbml_text: str = src
        try:
            rr = roadrunner.RoadRunner(src)
        except RuntimeError as exc:
            raise SimulationError("compilation", str(exc), context={"sbml": self.source}) from None
        self._adopt(rr)

    def _adopt(self, rr: roadrunner.RoadRunner) -> None:
        """Apply the integrator options to a compiled model and read its ids."""
        self.rr = rr
        integrator = self.integrator_options
        integ = self.rr.integrator
        integ.stiff = integrator.stiff  # first: setting it rebuilds CVODE's memory with default settings
        integ.relative_tolerance = integrator.rtol
        integ.absolute_tolerance = integrator.atol
        integ.maximum_num_steps = integrator.max_steps
        m = self.rr.model
        self.model_id: str = self.rr.getModelId() if hasattr(self.rr, "getModelId") else ""
        self.species_ids: tuple[str, ...] = tuple(m.getFloatingSpeciesIds()) + tuple(m.getBoundarySpeciesIds())
        self.floating_species_ids: tuple[str, ...] = tuple(m.getFloatingSpeciesIds())
        self.parameter_ids: tuple[str, ...] = tuple(m.getGlobalParameterIds())
        self.compartment_ids: tuple[str, ...] = tuple(m.getCompartmentIds())
        self.reaction_ids: tuple[str, ...] = tuple(m.getReactionIds())
        self.rate_rule_ids: frozenset[str] = frozenset(self.rr.getRateRuleIds())
        self.assignment_rule_ids: frozenset[str] = frozenset(self.rr.getAssignmentRuleIds())
        self.kinds: Mapping[str, str] = MappingProxyType({
            **{r: "reaction" for r in self.reaction_ids}, **{c: "compartment" for c in self.compartment_ids},
            **{p: "parameter" for p in self.parameter_ids}, **{s: "species" for s in self.species_ids}})
        self._amount_species = frozenset(s for s in self.species_ids if self.rr.getHasOnlySubstanceUnits(s))
        self._state_names = [n.rstrip("'") for n in self.rr.getRatesOfChangeNamedArray().colnames]
        self._pristine_compartments: dict[str, float] = {}
        self._compartments_now: dict[str, float] = {}
        self.time_units, self.seconds_per_time_unit = _time_units(self.sbml_text)

    def __reduce__(self):
        # a RoadRunner pickles through its saved state (~10-30 ms to load instead of 0.1-1 s to
        # compile); after a compartment change its stored initial values differ from the file's,
        # so the SBML text is sent instead
        rr = None if self._compartments_now else self.rr
        return (_restore, (self.sbml_text, self.source, rr, self.integrator_options, self.steady_state_options))

    # -- names ------------------------------------------------------------------------------------
    def __repr__(self) -> str:
        return (f"SbmlModel({self.source!r}: {len(self.species_ids)} species, {len(self.parameter_ids)} parameters, "
                f"{len(self.reaction_ids)} reactions)")

    def has(self, name: str) -> bool:
        """Whether ``name`` is a species, parameter, compartment or reaction of the model."""
        return name in self.kinds

    def kind(self, name: str) -> str:
        """``species``, ``parameter``, ``compartment`` or ``reaction``; raise for unknown names."""
        try:
            return self.kinds[name]
        except KeyError:
            raise InputError("model id", name, f"an id of a species, parameter, compartment or reaction of "
                             f"{self.source}") from None

    def is_state(self, name: str) -> bool:
        """Whether ``name`` is changed by the dynamics (a floating species or a rate-rule target)."""
        return name in self.floating_species_ids or name in self.rate_rule_ids

    def selection(self, name: str) -> str:
        """The roadrunner selection string of an id: ``[S]`` (concentration) for species, except
        species with only substance units (amount ``S``); the id itself otherwise."""
        if name == "time":
            return "time"
        kind = self.kind(name)
        if kind == "species" and name not in self._amount_species:
            return f"[{name}]"
        return name

    # -- setting values ---------------------------------------------------------------------------
    def _check(self, field_name: str, values: Mapping[str, float], kinds: tuple[str, ...]) -> None:
        for k, v in values.items():
            if self.kinds.get(k) not in kinds:
                raise InputError(f"{field_name}[{k!r}]", k, f"an id of a {' or '.join(kinds)} of {self.source}")
            if k in self.assignment_rule_ids:
                raise InputError(f"{field_name}[{k!r}]", k, "an id not defined by an assignment rule")
            if not isinstance(v, (int, float, np.floating)) or isinstance(v, bool):
                raise InputError(f"{field_name}[{k!r}]", v, "a number")

    def initialise(self, *, parameters: Mapping[str, float] | None = None, species: Mapping[str, float] | None = None,
                   compartments: Mapping[str, float] | None = None) -> None:
        """Put the model at time 0 with the file's values except those given here.

        Parameters
        ----------
        parameters : global parameter values by id; initial assignments that use them (of species
            and of other parameters) are re-evaluated. ``NaN`` keeps the model's value.
        species : initial concentrations by id (amounts for species with only substance units);
            they override the model's initial assignments. ``NaN`` keeps the model's initial value.
        compartments : compartment sizes by id. Species given by concentration keep their
            concentration (SBML semantics). Changing a compartment size is slower (~50 ms, roadrunner
            rewrites its stored initial conditions) than changing a parameter (µs).
        """
        parameters, species, compartments = dict(parameters or {}), dict(species or {}), dict(compartments or {})
        self._check("parameters", parameters, ("parameter",))
        self._check("species", species, ("species",))
        self._check("compartments", compartments, ("compartment",))
        rr = self.rr
        try:
            # 1. compartments: through roadrunner's stored initial conditions, only when they change
            late: dict[str, float] = {}
            wanted = {k: v for k, v in compartments.items() if not math.isnan(v)}
            for name in set(self._compartments_now) | set(wanted):
                if name in self.rate_rule_ids:
                    if name in wanted:
                        late[name] = wanted[name]
                    continue
                if name not in self._pristine_compartments:
                    self._pristine_compartments[name] = rr.getValue(f"init({name})")
                target = wanted.get(name, self._pristine_compartments[name])
                if target != self._compartments_now.get(name, self._pristine_compartments[name]):
                    rr.setValue(f"init({name})", float(target))
                    self._compartments_now[name] = float(target)
            # 2. everything back to the file's values (and the compartments above)
            rr.reset(SelectionRecord.ALL)
            model = rr.model  # fetched after step 1, which may rebuild the executable model
            # 3. parameters as initial values; re-evaluate initial assignments that depend on them
            if parameters:
                for name, value in parameters.items():
                    if name in self.rate_rule_ids:
                        late[name] = value  # a state: written after the reset, like species
                    elif not math.isnan(value):
                        model[f"init({name})"] = float(value)
                rr.reset(_RESET_FROM_INIT)
            model.setTime(0.0)
            # 4. states last, so they win over initial assignments
            for name, value in {**late, **species}.items():
                if not math.isnan(value):
                    rr.setValue(self.selection(name), float(value))
        except RuntimeError as exc:
            raise SimulationError("initialisation", str(exc), context={"model": self.source}) from None

    def update(self, *, parameters: Mapping[str, float] | None = None, species: Mapping[str, float] | None = None,
               compartments: Mapping[str, float] | None = None) -> None:
        """Change current values without a reset (e.g. between pre-equilibration and simulation).

        ``NaN`` species values keep the current (e.g. pre-equilibrated) value. Initial assignments
        are not re-evaluated.
        """
        parameters, species, compartments = dict(parameters or {}), dict(species or {}), dict(compartments or {})
        self._check("parameters", parameters, ("parameter",))
        self._check("species", species, ("species",))
        self._check("compartments", compartments, ("compartment",))
        try:
            for name, value in {**compartments, **parameters, **species}.items():
                if not math.isnan(value):
                    self.rr.setValue(self.selection(name), float(value))
        except RuntimeError as exc:
            raise SimulationError("condition change", str(exc), context={"model": self.source}) from None

    def value(self, name: str) -> float:
        """Current value of an id (concentration for species, see :meth:`selection`)."""
        return float(self.rr.getValue(self.selection(name)))

    # -- running ----------------------------------------------------------------------------------
    def integrate(self, times: Sequence[float], *, selections: Sequence[str] | None = None,
                  stage: str = "simulation") -> np.ndarray:
        """Integrate from the current state, with model time set to ``times[0]``; return the values
        of ``selections`` (ids; default all species) at ``times`` as an array (len(times), len(selections)).

        A single time point returns the current values without integrating.
        """
        sel = [self.selection(s) for s in (self.species_ids if selections is None else selections)]
        t = np.asarray(times, dtype=float)
        if t.ndim != 1 or len(t) == 0 or not np.all(np.isfinite(t)) or np.any(np.diff(t) <= 0):
            raise InputError("times", list(times), "a non-empty, strictly increasing sequence of finite times")
        if len(t) == 1:
            self.rr.model.setTime(float(t[0]))
            return np.array([[self.rr.getValue(s) for s in sel]], dtype=float)
        self.rr.timeCourseSelections = ["time", *sel]
        try:
            res = np.asarray(self.rr.simulate(times=list(t)), dtype=float)
        except RuntimeError as exc:
            raise SimulationError(stage, f"CVODE failed: {exc}",
                                  context={"model": self.source, "from": t[0], "to": t[-1]}) from None
        out = res[:, 1:]
        if not np.all(np.isfinite(out)):
            raise SimulationError(stage, "non-finite values", context={"model": self.source})
        return out

    def _rates(self) -> tuple[np.ndarray, np.ndarray]:
        rates = np.asarray(self.rr.getRatesOfChange(), dtype=float)
        values = np.array([self.rr.getValue(n) for n in self._state_names], dtype=float)
        return values, rates

    def equilibrate(self, *, stage: str = "pre-equilibration") -> float:
        """Integrate from the current state to a steady state (see the module docstring).

        Returns the model time it took. Raises :class:`~mtorsim._errors.SimulationError` when no
        steady state is reached within ``SteadyStateOptions.max_time``.
        """
        opts = self.steady_state_options
        if not self._state_names:
            return 0.0
        t, horizon = 0.0, opts.first_horizon
        self.rr.timeCourseSelections = ["time"]
        while True:
            end = min(t + horizon, opts.max_time)
            try:
                self.rr.simulate(t, end, 2)
            except RuntimeError as exc:
                raise SimulationError(stage, f"CVODE failed between t={t:g} and t={end:g}: {exc}",
                                      context={"model": self.source}) from None
            t = end
            values, rates = self._rates()
            if not (np.all(np.isfinite(values)) and np.all(np.isfinite(rates))):
                raise SimulationError(stage, f"non-finite state at t={t:g}", context={"model": self.source})
            excess = np.abs(rates) / (opts.atol + opts.rtol * np.abs(values))
            if np.all(excess <= 1.0):
                return t
            if t >= opts.max_time:
                i = int(np.argmax(excess))
                raise SimulationError(
                    stage, f"no steady state after t={t:g}: d{self._state_names[i]}/dt = {rates[i]:.3g} "
                    f"(allowed {opts.atol:g} + {opts.rtol:g}·|x|); the model may oscillate or grow",
                    context={"model": self.source})
            horizon *= 10.0

    def simulate(self, times: Sequence[float], *, parameters: Mapping[str, float] | None = None,
                 species: Mapping[str, float] | None = None, compartments: Mapping[str, float] | None = None,
                 preequilibration: Overrides | bool | None = None,
                 selections: Sequence[str] | None = None) -> xr.Dataset:
        """Simulate the model from time 0 to the output ``times``.

        Parameters
        ----------
        times : strictly increasing output times (model time units); the first is the start time.
        parameters, species, compartments : values by id (see :meth:`initialise`).
        selections : ids to record (default: every species); species are concentrations unless
            they have only substance units.

        Expert knobs
        ------------
        preequilibration : ``True`` to start from the steady state reached under the same settings;
            an :class:`Overrides` to reach the steady state under those settings and then apply
            ``parameters``, ``species`` (``NaN`` = keep the steady-state value) and ``compartments``.

        Returns
        -------
        xarray.Dataset
            One variable per selected id over ``time``; ``attrs`` hold the model source, the
            quantity of each variable, the tolerances and the roadrunner version.
        """
        sel = list(self.species_ids if selections is None else selections)
        for s in sel:
            if s != "time":
                self.kind(s)
        if preequilibration is None or preequilibration is False:
            self.initialise(parameters=parameters, species=species, compartments=compartments)
        elif preequilibration is True:
            self.initialise(parameters=parameters, species=species, compartments=compartments)
            self.equilibrate()
        elif isinstance(preequilibration, Overrides):
            self.initialise(parameters=preequilibration.parameters, species=preequilibration.species,
                            compartments=preequilibration.compartments)
            self.equilibrate()
            self.update(parameters=parameters, species=species, compartments=compartments)
        else:
            raise InputError("preequilibration", preequilibration, "None, True or an Overrides")
        t = np.asarray(times, dtype=float)
        values = self.integrate(t, selections=sel)
        quantity = {s: ("amount" if s in self._amount_species else "concentration") if s in self.species_ids
                    else self.kinds.get(s, "time") for s in sel}
        ds = xr.Dataset({s: ("time", values[:, i], {"quantity": quantity[s]}) for i, s in enumerate(sel)},
                        coords={"time": ("time", t, {"units": "model time units"})})
        ds.attrs.update(model=self.source, engine=f"libroadrunner {roadrunner.__version__}",
                        rtol=self.integrator_options.rtol, atol=self.integrator_options.atol,
                        preequilibrated=preequilibration is not None and preequilibration is not False)
        return ds


def _restore(sbml_text: str, source: str, rr, integrator: IntegratorOptions, steady_state: SteadyStateOptions) -> SbmlModel:
    if rr is None:
        m = SbmlModel(sbml_text, integrator=integrator, steady_state=steady_state)
        m.source = source
        return m
    m = SbmlModel.__new__(SbmlModel)
    m.integrator_options, m.steady_state_options = integrator, steady_state
    m.sbml_text, m.source = sbml_text, source
    m._adopt(rr)
    return m


_SECONDS = {"second": 1.0, "minute": 60.0, "hour": 3600.0, "day": 86400.0}


def _time_units(sbml_text: str) -> tuple[str, float | None]:
    """The model's time unit as text and in seconds (None when the model does not declare one).

    SBML Level 3 declares it with the model's ``timeUnits``; Level 2 with a unit definition whose
    id is ``time`` (the default unit being the second, which BioModels files rarely mean, so an
    undeclared unit is reported as such rather than assumed).
    """
    try:
        import libsbml
    except ImportError:  # pragma: no cover - python-libsbml is a dependency
        return "model time units (not read: python-libsbml missing)", None
    doc = libsbml.readSBMLFromString(sbml_text)
    model = doc.getModel() if doc is not None else None
    if model is None:
        return "model time units (undeclared)", None
    name = model.getTimeUnits() if model.isSetTimeUnits() else ("time" if doc.getLevel() < 3 else "")
    if name in _SECONDS:
        return name, _SECONDS[name]
    ud = model.getUnitDefinition(name) if name else None
    if ud is None or ud.getNumUnits() != 1:
        return "model time units (undeclared)", None
    u = ud.getUnit(0)
    if u.getKind() != libsbml.UNIT_KIND_SECOND or u.getExponent() != 1:
        return "model time units (undeclared)", None
    seconds = u.getMultiplier() * 10.0 ** u.getScale()
    label = {1.0: "second", 60.0: "minute", 3600.0: "hour", 86400.0: "day"}.get(seconds, f"{seconds:g} s")
    return label, float(seconds)
