"""``simulate()``: one cell, one treatment, one labelled time course."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timezone

import numpy as np
import xarray as xr

from .._errors import InputError
from .._units import parse_duration_hours
from .._version import versions
from ..biology import CellLine, Dose, Medium, Treatment, get_cell
from ..biology._genotype import apply_effects
from ._engine import Engine, SolverOptions, get_engine, parameter_set_id

REFERENCE_CELL = "MCF7"
NORMALISATIONS = ("reference", "cell", "none")


def cell_parameters(cell: CellLine, medium: Medium, overrides: Mapping[str, float] | None = None,
                    engine: Engine | None = None) -> dict[str, float]:
    """Full parameter mapping for a cell in a medium, with user overrides applied last."""
    eng = engine or get_engine()
    params = apply_effects(eng.defaults, cell.effects())
    params.update(medium.values())
    if overrides:
        eng.check_parameters(dict(overrides))
        params.update(overrides)
    return params


def _times(hours, times, n_points) -> np.ndarray:
    if times is not None:
        t = np.asarray(list(times), dtype=float)
        if t.ndim != 1 or len(t) == 0 or not np.all(np.isfinite(t)) or np.any(t < 0) or np.any(np.diff(t) <= 0):
            raise InputError("times", times, "a strictly increasing sequence of non-negative hours")
        return t
    h = parse_duration_hours(hours, field="hours")
    if not (isinstance(n_points, int) and n_points >= 2):
        raise InputError("n_points", n_points, "an integer >= 2")
    return np.linspace(0.0, h, n_points)


def simulate(cell: str | CellLine = REFERENCE_CELL, *, drugs: Iterable[str | Dose] | Mapping[str, str] | str = (),
             medium: str | Medium = "full", estradiol: str | float | None = None, hours: float | str = 48.0,
             times: Sequence[float] | None = None, n_points: int = 97, normalize: str = "reference",
             preequilibration_medium: str | Medium | None = None, parameters: Mapping[str, float] | None = None,
             solver: SolverOptions | None = None) -> xr.Dataset:
    """Simulate one cell line (or genotype) under a drug treatment.

    The cell starts from its untreated steady state (pre-equilibrated in
    ``preequilibration_medium``, by default the treatment medium); at t = 0 the treatment medium
    and the doses that start at 0 are applied; later doses start, and washouts happen, at their
    own times.

    Parameters
    ----------
    cell : cell-line name (any usual spelling) or a :class:`~mtorsim.CellLine` (e.g. from ``define_cell``).
    drugs : ``"everolimus=10nM"`` strings (``"drug=dose@start-stop"`` for timing), :class:`Dose` objects,
        or a ``{drug: dose}`` mapping. Doses take units: pM, nM, uM/µM, mM, ng/mL (with the molar mass).
    medium : ``full``, ``charcoal_stripped``, ``serum_free`` or a :class:`Medium`.
    estradiol : oestradiol concentration (e.g. ``"1nM"``), overriding the medium's.
    hours, n_points : simulated duration (h) and number of evenly spaced output times; or give ``times``.
    normalize : ``reference`` (1.0 = untreated MCF7 in full medium at steady state), ``cell`` (1.0 = this
        cell's untreated steady state) or ``none`` (model units).

    Expert knobs
    ------------
    preequilibration_medium : medium of the untreated steady state, when it differs from the treatment's.
    parameters : overrides of model parameters by name (applied to the cell and to the reference).
    solver : :class:`SolverOptions` (CVODE tolerances, step limit, steady-state tolerance).

    Returns
    -------
    xarray.Dataset
        One variable per observable over ``time`` (hours), with ``units`` and ``description`` per
        variable and provenance (versions, parameter-set id, cell, treatment) in ``attrs``.

    Raises
    ------
    InputError, UnknownNameError : bad cell, drug, dose, unit or time.
    SimulationError : the solver failed; ``stage`` is ``pre-equilibration`` or ``treatment``.
    """
    if normalize not in NORMALISATIONS:
        raise InputError("normalize", normalize, f"one of {', '.join(NORMALISATIONS)}")
    c = get_cell(cell)
    med = medium if isinstance(medium, Medium) else Medium(medium)
    if estradiol is not None:
        from .._units import parse_concentration
        med = Medium(med.preset, estradiol_nM=parse_concentration(estradiol, field="estradiol"), androgen_nM=med.androgen_nM,
                     insulin_igf=med.insulin_igf, egf=med.egf, heregulin=med.heregulin, energy_stress=med.energy_stress)
    treatment = Treatment.make(drugs, med)
    pre_med = med if preequilibration_medium is None else (
        preequilibration_medium if isinstance(preequilibration_medium, Medium) else Medium(preequilibration_medium))
    t = _times(hours, times, n_points)
    eng = get_engine() if solver is None else Engine(options=solver)
    overrides = dict(parameters or {})

    ctx = {"cell": c.name, "treatment": treatment.label}
    pre_params = cell_parameters(c, pre_med, overrides, eng)
    state0 = eng.steady_state(pre_params, context=ctx)
    params = cell_parameters(c, med, overrides, eng)
    bounds = [0.0] + [s for s in treatment.switch_times() if 0 < s < t[-1]] + [float(t[-1])]
    segments = [(a, b, treatment.slot_inputs(a)) for a, b in zip(bounds[:-1], bounds[1:]) if b > a]
    values = eng.run(params, state0, segments, t, context=ctx)

    if normalize == "reference":
        ref = eng.steady_observables(cell_parameters(get_cell(REFERENCE_CELL), Medium("full"), overrides, eng),
                                     context={"cell": REFERENCE_CELL, "treatment": "reference"})
        unit = "relative to untreated MCF7 in full medium (steady state)"
    elif normalize == "cell":
        ref = eng.steady_observables(pre_params, context=ctx)
        unit = f"relative to untreated {c.name} ({pre_med.label}, steady state)"
    else:
        ref = np.ones(len(eng.observables))
        unit = "model units (relative amounts and active fractions)"
    with np.errstate(divide="ignore", invalid="ignore"):
        scaled = np.where(ref > 0, values / np.where(ref > 0, ref, 1.0), np.nan if normalize != "none" else values)

    data_vars = {}
    for j, name in enumerate(eng.observables):
        data_vars[name] = xr.Variable(("time",), scaled[:, j],
                                      attrs={"units": unit, "description": eng.net.observables[name].description})
    ds = xr.Dataset(data_vars, coords={"time": xr.Variable(("time",), t, attrs={"units": "h", "long_name": "time since treatment"})})
    ds.attrs.update({
        "cell": c.name,
        "genotype": ", ".join(c.alterations) or "wild-type pathway",
        "treatment": treatment.label,
        "medium": med.label,
        "preequilibration_medium": pre_med.label,
        "normalization": normalize,
        "parameter_set": "default" if not overrides else "default+overrides",
        "parameter_set_id": parameter_set_id(params),
        "solver": f"libRoadRunner CVODE rtol={eng.options.rtol:g} atol={eng.options.atol:g}",
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        **{f"version_{k}": v for k, v in versions().items()},
    })
    return ds
