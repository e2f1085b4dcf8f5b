"""From signalling to cell fate: division, G1 arrest and death rates, and cell numbers in a plate.

The network's outputs, each relative to the same cell's untreated state in full medium, set
three rates (1/h):

* division ``r_div = r0 · P(d) · T^a_T`` where ``d`` is the G1–S drive (cyclin D1) and ``T``
  cap-dependent translation; ``P(d) = d^n (1 + K^n) / (K^n + d^n)`` so ``P(1) = 1``, and
  ``r0 = ln 2 / doubling time`` of the untreated line;
* apoptosis ``r_apo = r_apo0 + k_apo · K_s^m / (K_s^m + s^m)`` where ``s`` is the survival signal
  (MCL1 and BAD phosphorylation), so loss of survival signalling kills;
* mitotic death from microtubule poisons ``r_mit = k_mit · f_microtubule · r_div``, in proportion
  to cycling cells (paclitaxel).

Cell numbers follow ``dN/dt = (r_div − r_apo − r_mit) N`` along the simulated time course,
so viability and the growth-rate inhibition value GR (Hafner et al. 2016 Nat Methods
13:521) come out the way they do in a plate. G1 arrest is reported as ``1 − r_div/r0``.

The parameters are global (the same for every line); line differences come from genotype
and receptor status through the network, and from the line's doubling time.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields

import numpy as np
import xarray as xr

from .._errors import InputError
from ..biology import CellLine, get_cell

DEFAULT_DOUBLING_TIME_H = 36.0
DOUBLING_SOURCE = "assumed: 36 h, a typical doubling time of breast cancer lines in culture, used where the catalogue has none"

#: fate parameter -> (unit, source)
FIT_NOTE = ("fitted to HMS LINCS breast GR_AOC and GRmax (shared/data/response/hmslincs_brca_grmetrics_pathway.csv; 11 drugs x "
            "15 training lines, 7 lines held out; mtorsim.fate._calibrate.fit_fate, 2026-11-24)")

FATE_SOURCES: dict[str, tuple[str, str]] = {
    "K_drive": ("1", "fixed at 5: with K free the LINCS fit runs to its bound (practically non-identifiable), i.e. the data prefer "
                     "a power law r_div ~ d^n over a saturating G1-S threshold"),
    "n_drive": ("1", FIT_NOTE),
    "a_translation": ("1", FIT_NOTE),
    "r_apo0": ("1/h", "assumed: ~1% of cells die per day untreated"),
    "k_apo": ("1/h", FIT_NOTE + " (with GR_AOC alone the estimate ran to 0: GRmax is what identifies death)"),
    "K_survival": ("1", "assumed: apoptosis rises steeply once the survival signal falls below ~40% of untreated"),
    "m_survival": ("1", "assumed: steep (Hill 4) apoptotic threshold"),
    "k_mitotic": ("1", FIT_NOTE + " (paclitaxel only)"),
}


@dataclass(frozen=True)
class FateParameters:
    """Global cell-fate parameters (see ``FATE_SOURCES`` for units and sources)."""

    K_drive: float = 5.0
    n_drive: float = 3.17
    a_translation: float = 0.668
    r_apo0: float = 0.0004
    k_apo: float = 0.040
    K_survival: float = 0.4
    m_survival: float = 4.0
    k_mitotic: float = 1.13

    def __post_init__(self) -> None:
        for f in fields(self):
            v = getattr(self, f.name)
            if not (isinstance(v, (int, float)) and math.isfinite(v) and v >= 0):
                raise InputError(f"fate.{f.name}", v, "a finite, non-negative number")


def doubling_time_h(cell: str | CellLine) -> tuple[float, str]:
    """The untreated doubling time of a line (h) and its source."""
    c = get_cell(cell)
    if c.doubling_time_h:
        return float(c.doubling_time_h), c.sources.get("doubling_time_h", "catalogue")
    return DEFAULT_DOUBLING_TIME_H, DOUBLING_SOURCE


def rates(signals: xr.Dataset, *, doubling_time: float, microtubule_effect: float | np.ndarray = 0.0,
          params: FateParameters = FateParameters()) -> xr.Dataset:
    """Division, apoptosis and mitotic-death rates (1/h) from network outputs.

    ``signals`` must hold ``cyclinD1``, ``translation`` and ``survival`` relative to the cell's own
    untreated state in full medium (``simulate(..., normalize="cell")`` with a full-medium
    pre-equilibration).
    """
    for v in ("cyclinD1", "translation", "survival"):
        if v not in signals:
            raise InputError("signals", v, "a Dataset from simulate() with cyclinD1, translation and survival")
    if not np.all(np.asarray(doubling_time) > 0):
        raise InputError("doubling_time", doubling_time, "a positive number of hours (or one per condition)")
    p = params
    r0 = math.log(2) / doubling_time        # a number, or a DataArray over the condition dimension
    d = signals["cyclinD1"].clip(min=0)
    drive = d ** p.n_drive * (1 + p.K_drive ** p.n_drive) / (p.K_drive ** p.n_drive + d ** p.n_drive)
    r_div = r0 * drive * signals["translation"].clip(min=0) ** p.a_translation
    s = signals["survival"].clip(min=0)
    r_apo = p.r_apo0 + p.k_apo * p.K_survival ** p.m_survival / (p.K_survival ** p.m_survival + s ** p.m_survival)
    r_apo = r_apo - (p.r_apo0 + p.k_apo * p.K_survival ** p.m_survival / (p.K_survival ** p.m_survival + 1.0)) + p.r_apo0
    r_apo = r_apo.clip(min=0)
    r_mit = p.k_mitotic * microtubule_effect * r_div
    out = xr.Dataset({"division_rate": r_div, "apoptosis_rate": r_apo, "mitotic_death_rate": r_mit,
                      "g1_arrest": (1 - r_div / r0).clip(min=0)})
    for k, unit in (("division_rate", "1/h"), ("apoptosis_rate", "1/h"), ("mitotic_death_rate", "1/h"), ("g1_arrest", "1")):
        out[k].attrs["units"] = unit
    out.attrs.update(signals.attrs)
    if np.ndim(doubling_time) == 0:
        out.attrs["doubling_time_h"] = float(doubling_time)
    return out


def cell_numbers(r: xr.Dataset, *, n0: float = 1.0) -> xr.DataArray:
    """Cell number over time from the rates (trapezoidal integral of the net rate)."""
    net = r["division_rate"] - r["apoptosis_rate"] - r["mitotic_death_rate"]
    t = r["time"].values
    vals = net.transpose("time", ...).values
    integral = np.concatenate([np.zeros((1,) + vals.shape[1:]),
                               np.cumsum(0.5 * (vals[1:] + vals[:-1]) * np.diff(t).reshape((-1,) + (1,) * (vals.ndim - 1)), axis=0)])
    n = xr.DataArray(n0 * np.exp(integral), dims=net.transpose("time", ...).dims, coords=net.transpose("time", ...).coords, name="cell_number")
    n.attrs["units"] = "cells relative to seeding"
    return n
