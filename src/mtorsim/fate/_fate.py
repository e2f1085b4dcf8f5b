"""From signalling to cell fate: division, G1 arrest and death rates, and cell numbers in a plate.

The network's outputs, each relative to the same cell's untreated state in full medium, set
three rates (1/h):

* division ``r_div = r0 · [(1 − φ) P(d) + φ] · T^a_T`` where ``d`` is the G1–S drive (cyclin D1) and ``T``
  cap-dependent translation; ``P(d) = d^n (1 + K^n) / (K^n + d^n)`` so ``P(1) = 1``,
  ``r0 = ln 2 / doubling time`` of the untreated line, and ``φ`` the share of G1–S progression that does
  not go through cyclin D1–CDK4/6: 0 in luminal and HER2-amplified lines, ``phi_tn`` in triple-negative
  (non-luminal/basal) lines, which Finn et al. 2009 (Breast Cancer Res 11:R77) found the most resistant
  to CDK4/6 inhibition, with low cyclin D1 and pRb and high p16 (:func:`cyclin_d1_independence`);
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
FIT_NOTE = ("fitted to HMS LINCS breast GR_AOC and GRmax (shared/data/response/hmslincs_brca_grmetrics_pathway.csv, replicate "
            "means; 11 drugs x 15 training lines, 7 lines held out; `mtorsim calibrate-defaults --layer fate`, refitted 2026-11-24 on the "
            "network with calibrated kinetics)")

FATE_SOURCES: dict[str, tuple[str, str]] = {
    "K_drive": ("1", "assumed: fixed at 1 so that P(inf) = 1 + K^n = 2, i.e. more cyclin D1 (oestradiol, growth factors) can at "
                     "most double the full-medium division rate; the LINCS panel (inhibition only, d <= 1) cannot identify it "
                     "(K = 1 and K = 5 fit it equally, held-out GR_AOC RMSE 0.261 vs 0.262), and an unbounded power law made "
                     "1 nM oestradiol divide MCF7 several-fold faster than full medium"),
    "n_drive": ("1", FIT_NOTE),
    "a_translation": ("1", FIT_NOTE + "; on the network with calibrated kinetics (docs/defaults.md) the fit puts weight on "
                           "translation (1.87; it was 0.075 on the literature-value network, where cyclin D1 carried the effect): "
                           "poorly identified between the two routes"),
    "r_apo0": ("1/h", "assumed: ~1% of cells die per day untreated"),
    "k_apo": ("1/h", FIT_NOTE + " (with GR_AOC alone the estimate ran to 0: GRmax is what identifies death)"),
    "K_survival": ("1", "assumed: apoptosis rises steeply once the survival signal falls below ~40% of untreated"),
    "m_survival": ("1", "assumed: steep (Hill 4) apoptotic threshold"),
    "k_mitotic": ("1", FIT_NOTE + " (paclitaxel only)"),
    "phi_tn": ("1", "share of G1-S drive independent of cyclin D1-CDK4/6 in triple-negative lines (mechanism: Finn et al. 2009 "
                    "Breast Cancer Res 11:R77, non-luminal/basal lines resist CDK4/6 inhibition); value " + FIT_NOTE),
}


@dataclass(frozen=True)
class FateParameters:
    """Global cell-fate parameters (see ``FATE_SOURCES`` for units and sources)."""

    K_drive: float = 1.0
    n_drive: float = 4.86
    a_translation: float = 1.87
    r_apo0: float = 0.0004
    k_apo: float = 0.0323
    K_survival: float = 0.4
    m_survival: float = 4.0
    k_mitotic: float = 1.13
    phi_tn: float = 0.668

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


def is_triple_negative(cell: str | CellLine) -> bool:
    """ER-negative, PR-negative or unknown, and not HER2-positive/amplified (catalogue receptors and alterations)."""
    c = get_cell(cell)
    rec = {k: (v or "").lower() for k, v in c.receptors.items()}
    her2 = rec.get("HER2") == "positive" or any(a.startswith("ERBB2:") for a in c.alterations)
    return rec.get("ER") == "negative" and rec.get("PR") != "positive" and not her2


def cyclin_d1_independence(cell: str | CellLine, params: "FateParameters") -> float:
    """Share ``φ`` of G1–S drive that does not depend on cyclin D1 (see the module docstring)."""
    return float(params.phi_tn) if is_triple_negative(cell) else 0.0


MICROTUBULE_SLOT = "microtubule"


def microtubule_effect(conc_nM) -> np.ndarray | float:
    """Fraction of the maximal mitotic-death effect of microtubule poisons at concentrations ``conc_nM``
    (``{drug: nM}``, numbers or arrays of matching shape): ``f = x^h / (1 + x^h)`` with ``x = Σ C / IC50`` over the
    drugs' ``microtubule`` targets and ``h`` the largest Hill coefficient among them, as
    :meth:`mtorsim.biology.Treatment.slot_inputs` adds exposures within a slot. 0 without such a drug.
    One function for the plate assay and the trial layer's exposure-response surfaces."""
    from ..biology import get_drug
    x, h = 0.0, 0.0
    for drug, c in conc_nM.items():
        for t in get_drug(drug).targets:
            if t.slot == MICROTUBULE_SLOT:
                x = x + np.maximum(np.asarray(c, dtype=float), 0.0) / t.ic50_nM
                h = max(h, t.hill)
    if h == 0.0:
        return 0.0 if np.ndim(x) == 0 else np.zeros_like(x)
    xh = np.power(x, h)
    return xh / (1.0 + xh)


def rates(signals: xr.Dataset, *, doubling_time: float, microtubule_effect: float | np.ndarray = 0.0,
          params: FateParameters = FateParameters(), cd1_independent: float | xr.DataArray = 0.0) -> xr.Dataset:
    """Division, apoptosis and mitotic-death rates (1/h) from network outputs.

    ``signals`` must hold ``cyclinD1``, ``translation`` and ``survival`` relative to the cell's own
    untreated state in full medium (``simulate(..., normalize="cell")`` with a full-medium
    pre-equilibration). ``cd1_independent`` is ``φ`` for the line (or one per condition), from
    :func:`cyclin_d1_independence`.
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
    drive = (1 - cd1_independent) * drive + cd1_independent
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
