"""Exposure-driven signalling: drug concentrations over time drive the mtorsim network.

A PK profile (:func:`~mtorsim.clinic.pk_profile`) gives the tumour-site concentration
``tumour_nM`` (unbound plasma × tumour factor; see ``docs/pk.md``). Over each step (1 h by
default) its mean is turned into the network's piecewise-constant inputs
``u_<slot> = Σ C / IC50`` with the catalogue potencies, exactly as a cell experiment's nominal
concentration would be; active metabolites (``<name>_tumour_nM``, e.g. endoxifen for tamoxifen)
add their own ``C / IC50`` at their slots (profile attribute ``metabolite_targets``); aromatase inhibitors instead scale the oestradiol condition by their
``estradiol_fraction``. The cell starts from its untreated steady state and is integrated with the
shared :class:`~mtorsim.simulate._engine.Engine` (``Engine.run``); observables are reported
relative to that untreated steady state.
"""

from __future__ import annotations

import json
import math
from datetime import datetime, timezone

import numpy as np
import xarray as xr

from .._errors import InputError
from .._version import versions
from ..biology import Medium, get_cell, get_drug
from ..simulate._engine import Engine, SolverOptions, get_engine, parameter_set_id
from ..simulate._simulate import cell_parameters

#: sub-samples per step used to average a concentration profile over the step
_SUBSAMPLES = 8


def _step_means(t: np.ndarray, y: np.ndarray, bounds: np.ndarray) -> np.ndarray:
    """Mean of the piecewise-linear ``y(t)`` over each [bounds[i], bounds[i+1]] (exact for the
    interpolant up to the sub-sampling; profiles are smooth on their own grid)."""
    out = np.empty(len(bounds) - 1)
    for i in range(len(bounds) - 1):
        s = np.linspace(bounds[i], bounds[i + 1], _SUBSAMPLES + 1)
        v = np.interp(s, t, y)
        out[i] = float(np.mean(0.5 * (v[1:] + v[:-1])))
    return out


def exposure_segments(profiles, bounds: np.ndarray, *, estradiol_nM: float) -> tuple[list[tuple[float, float, dict]], dict[str, np.ndarray]]:
    """Piecewise-constant network inputs for ``Engine.run`` from PK profiles.

    Returns the segments ``(t0, t1, inputs)`` and, per input name, its value in each segment.
    """
    n = len(bounds) - 1
    u: dict[str, np.ndarray] = {}
    hill: dict[str, float] = {}
    e2 = np.ones(n)
    has_e2 = False
    for ds in profiles:
        drug = get_drug(ds.attrs["drug"])
        t = ds["time"].values.astype(float)
        if t[-1] < bounds[-1] - 1e-9:
            raise InputError("hours", float(bounds[-1]), f"at most the length of the {drug.name} profile ({t[-1]:g} h)")
        if "estradiol_fraction" in ds:
            e2 *= _step_means(t, ds["estradiol_fraction"].values.astype(float), bounds)
            has_e2 = True
            continue
        c = _step_means(t, ds["tumour_nM"].values.astype(float), bounds)
        species = [(c, [(tg.slot, tg.ic50_nM, tg.hill) for tg in drug.targets])]
        # active metabolites (e.g. tamoxifen -> 4-hydroxytamoxifen, endoxifen): each adds C/IC50 at its own slots
        for var, targets in json.loads(ds.attrs.get("metabolite_targets", "{}") or "{}").items():
            if var in ds and targets:
                species.append((_step_means(t, ds[var].values.astype(float), bounds), targets))
        for conc, targets in species:
            for slot, ic50, h in targets:
                key = f"u_{slot}"
                u[key] = u.get(key, np.zeros(n)) + conc / float(ic50)
                if slot not in ("er_antagonist", "er_degrader"):
                    hill[f"h_{slot}"] = max(hill.get(f"h_{slot}", 0.0), float(h))
    values = dict(u)
    if has_e2:
        values["estradiol"] = estradiol_nM * e2
    segments = []
    for i in range(n):
        inputs = {k: float(v[i]) for k, v in values.items()}
        inputs.update(hill)
        segments.append((float(bounds[i]), float(bounds[i + 1]), inputs))
    return segments, values


def simulate_exposure(cell, profiles, *, hours: float | None = None, step_h: float = 1.0, medium: str | Medium = "full",
                      estradiol: float | None = None, times=None, parameters=None, solver: SolverOptions | None = None) -> xr.Dataset:
    """Simulate a tumour cell under time-varying drug exposure from PK profiles.

    Parameters
    ----------
    cell : cell-line name or :class:`~mtorsim.CellLine` (the tumour; e.g. ``"MCF7"``).
    profiles : one :func:`~mtorsim.clinic.pk_profile` Dataset or a list of them (a combination).
    hours : simulated duration (default: the shortest profile).
    step_h : length of the piecewise-constant input steps (h); the concentration is averaged over each step.

    Expert knobs
    ------------
    medium : the tumour's growth-factor/hormone milieu (a :class:`Medium` preset; default ``full``).
    estradiol : baseline oestradiol at the tumour (nM) that aromatase inhibitors scale down
        (default: the medium's, 0.1 nM in ``full``, itself an assumption).
    times : output times (h); default every step boundary.
    parameters : model parameter overrides; solver : :class:`SolverOptions`.

    Returns
    -------
    xarray.Dataset over ``time`` (h): every observable relative to the untreated steady state of
    the cell (units in attrs), plus the inputs ``u_<slot>`` (and ``estradiol`` in nM) applied from each
    time on (step function, value of the step starting at that time).
    """
    if isinstance(profiles, xr.Dataset):
        profiles = [profiles]
    profiles = list(profiles)
    if not profiles:
        raise InputError("profiles", profiles, "at least one PK profile (mtorsim.clinic.pk_profile)")
    for p in profiles:
        if not isinstance(p, xr.Dataset) or "drug" not in p.attrs or not ({"tumour_nM", "estradiol_fraction"} & set(p.data_vars)):
            raise InputError("profiles", type(p).__name__, "Datasets returned by mtorsim.clinic.pk_profile")
    if not (isinstance(step_h, (int, float)) and step_h > 0):
        raise InputError("step_h", step_h, "a positive step in hours")
    end = min(float(p["time"][-1]) for p in profiles)
    hours = end if hours is None else float(hours)
    if not (hours > 0) or hours > end + 1e-9:
        raise InputError("hours", hours, f"a positive duration no longer than the profiles ({end:g} h)")
    n = int(math.ceil(hours / step_h - 1e-9))
    bounds = np.minimum(np.arange(n + 1) * float(step_h), hours)
    c = get_cell(cell)
    med = medium if isinstance(medium, Medium) else Medium(medium)
    eng = get_engine() if solver is None else Engine(options=solver)
    params = cell_parameters(c, med, dict(parameters or {}), eng)
    e2_base = params["estradiol"] if estradiol is None else float(estradiol)
    if not (math.isfinite(e2_base) and e2_base >= 0):
        raise InputError("estradiol", estradiol, "a non-negative oestradiol concentration in nM")
    segments, values = exposure_segments(profiles, bounds, estradiol_nM=e2_base)
    t_out = bounds if times is None else np.asarray(list(times), dtype=float)
    if np.any(np.diff(t_out) <= 0) or t_out[0] < 0 or t_out[-1] > hours + 1e-9:
        raise InputError("times", times, f"increasing hours within [0, {hours:g}]")
    label = " + ".join(f"{p.attrs['drug']} {p.attrs.get('regimen', '')}".strip() for p in profiles)
    ctx = {"cell": c.name, "exposure": label}
    state0 = eng.steady_state(params, context=ctx)
    obs = eng.run(params, state0, segments, t_out, context=ctx)
    ref = eng.steady_observables(params, context=ctx)
    with np.errstate(divide="ignore", invalid="ignore"):
        rel = np.where(ref > 0, obs / np.where(ref > 0, ref, 1.0), np.nan)
    unit = f"relative to untreated {c.name} ({med.label}, steady state)"
    data_vars = {name: xr.Variable(("time",), rel[:, j], attrs={"units": unit, "description": eng.net.observables[name].description})
                 for j, name in enumerate(eng.observables)}
    idx = np.clip(np.searchsorted(bounds, t_out, side="right") - 1, 0, len(bounds) - 2)
    for k, v in values.items():
        data_vars[k] = xr.Variable(("time",), v[idx], attrs={"units": "nM" if k == "estradiol" else "1",
                                                             "description": "network input applied from this time (step function)"})
    ds = xr.Dataset(data_vars, coords={"time": xr.Variable(("time",), t_out, attrs={"units": "h", "long_name": "time since first dose"})})
    ds.attrs.update({
        "cell": c.name, "medium": med.label, "exposure": label, "step_h": float(step_h),
        "estradiol_baseline_nM": e2_base, "normalization": "cell",
        "exposure_driver": "tumour_nM = unbound plasma concentration x tumour factor (see each drug's PK record)",
        "pk_sources": json.dumps({p.attrs["drug"]: json.loads(p.attrs.get("sources", "{}")) for p in profiles}),
        "parameter_set_id": parameter_set_id(params),
        "solver": f"libRoadRunner CVODE rtol={eng.options.rtol:g} atol={eng.options.atol:g}",
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        **{f"version_{k}": v for k, v in versions().items()},
    })
    return ds
