"""The tumour: a sensitive and a resistant clone driven by the cell-fate layer under the patient's
time-varying exposure, and its lesion burden as RECIST measures it.

Per day ``k`` (rates constant over the day, exact exponential update):

* sensitive cells: ``g_S = b · rel_div(C_k) − d − b · (death(C_k) + mitotic(C_k)) − μ``;
* resistant cells (pre-existing fraction ``f_R``, plus acquired ones at rate ``μ`` per sensitive cell):
  ``g_R = b − d = g0`` — insensitive to the arm's drugs (adaptive ER/RTK rewiring);
* the host-tissue effect of a rapalog (``host``, a fraction ``h_k`` of the untreated net growth; anti-angiogenic)
  acts on both clones: ``g_S − h_k g0`` and ``g_R = (1 − h_k) g0``;
* ``g0 = ln 2 / T_d`` the patient's untreated in-vivo net growth rate, ``b = g0 / (1 − φ)`` in-vivo
  division and ``d = φ b`` cell loss (``φ`` the cell-loss factor); ``rel_div``, ``death`` and
  ``mitotic`` come from the patient class's :class:`~mtorsim.trial._surface.ResponseSurface`, i.e. the
  cell layer's rates relative to the untreated in-vitro division rate, carried over to the patient's
  division rate;
* lesion burden: the sum of target-lesion diameters ``SLD = SLD0 · (N / N0)^(1/3)`` (spherical lesions
  growing alike); new lesions appear with hazard ``λ_new · N / N0`` per day.
"""

from __future__ import annotations

import math

import numpy as np


#: relative burden at which growth stops (10^9 times the burden at entry: SLD x 1000, far beyond any patient;
#: progression and death come long before). Keeps the fastest-growing tumours finite over long OS horizons
BURDEN_CAP = 1e9


def grow(rel_div: np.ndarray, kill: np.ndarray, *, g0: float, phi: float, resistant_fraction: float,
         acquired_rate: float, host: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Sensitive and resistant burdens (relative to the total at day 0) at the start of each day and after
    the last: arrays of length ``len(rel_div) + 1``; each clone stops at ``BURDEN_CAP``. ``host``: the daily
    fraction of ``g0`` removed from both clones (None: none)."""
    n = len(rel_div)
    b = g0 / (1.0 - phi)
    d = phi * b
    h = np.zeros(n) if host is None else g0 * np.asarray(host, dtype=float)
    gS = b * np.asarray(rel_div) - d - b * np.asarray(kill) - acquired_rate - h
    gR = g0 - h
    dg = gS - gR
    # the daily factors are vectorised; only the capped recurrence runs per day (3x faster than exp per day)
    eS_all, eR_all = np.exp(gS), np.exp(gR)
    with np.errstate(divide="ignore", invalid="ignore"):
        frac_all = np.where(np.abs(dg) > 1e-12, (eS_all - eR_all) / dg, eR_all)
    S = np.empty(n + 1)
    R = np.empty(n + 1)
    s, r = 1.0 - resistant_fraction, resistant_fraction
    S[0], R[0] = s, r
    for k, (eS, eR, frac) in enumerate(zip(eS_all.tolist(), eR_all.tolist(), frac_all.tolist())):
        s, r = min(s * eS, BURDEN_CAP), min(r * eR + acquired_rate * s * frac, BURDEN_CAP)
        S[k + 1], R[k + 1] = s, r
    return S, R


def sld(burden: np.ndarray, sld0_mm: float) -> np.ndarray:
    """Sum of diameters (mm) from the relative burden (spherical lesions)."""
    return sld0_mm * np.cbrt(np.maximum(burden, 0.0))


def first_new_lesion_day(burden: np.ndarray, rate_per_day: float, rng: np.random.Generator) -> float:
    """Day of the first new lesion (inf if none): cumulative hazard ``Σ λ N_k`` against an Exp(1) draw."""
    e = float(rng.exponential())
    if rate_per_day <= 0:
        return math.inf
    cum = np.cumsum(rate_per_day * burden[:-1])
    hit = np.nonzero(cum >= e)[0]
    return float(hit[0] + 1) if len(hit) else math.inf


def recist(sld_mm: np.ndarray, assess_days: np.ndarray, new_lesion_day: float, *, confirm: bool = False,
           cr_mm: float = 5.0, reading: np.ndarray | None = None) -> dict:
    """RECIST 1.1 on the daily SLD series at the assessment days.

    Progression (PD): SLD ≥ 1.2 × nadir and ≥ nadir + 5 mm (nadir including baseline), or a new lesion
    since the previous assessment. Responses (best overall response before PD): CR when the SLD falls
    below ``cr_mm`` (disappearance of the target lesions, as measurable here), PR at ≥ 30 % below
    baseline; with ``confirm`` a CR/PR counts only if the first assessment at least 4 weeks later still shows it.
    ``reading``: multiplicative reading errors, one for the baseline scan then one per assessment (the SLD
    a radiologist reports is the true SLD times its factor); none: exact readings.
    Returns pd_day (nan if none), best response (CR/PR/SD/PD/NE), per-assessment categories, and the
    day of the last assessment.
    """
    if reading is not None and len(reading) < len(assess_days) + 1:
        raise ValueError(f"reading: {len(reading)} factors for a baseline and {len(assess_days)} assessments")
    base = float(sld_mm[0]) * (float(reading[0]) if reading is not None else 1.0)
    nadir = base
    cats = []
    pd_day = math.nan
    prev = 0.0
    for k, a in enumerate(assess_days):
        s = float(sld_mm[int(a)]) * (float(reading[k + 1]) if reading is not None else 1.0)
        if (s >= 1.2 * nadir and s - nadir >= 5.0) or (prev < new_lesion_day <= a):
            cats.append("PD")
            pd_day = float(a)
            break
        cats.append("CR" if s < cr_mm else "PR" if s <= 0.7 * base else "SD")
        nadir = min(nadir, s)
        prev = float(a)
    best = "NE"
    order = {"CR": 0, "PR": 1, "SD": 2, "PD": 3}
    for k, c in enumerate(cats):
        if c in ("CR", "PR") and confirm:
            # confirmed by the first later assessment at least 4 weeks on (RECIST 1.1)
            later = [j for j in range(k + 1, len(cats)) if assess_days[j] - assess_days[k] >= 28]
            c = c if later and cats[later[0]] in ("CR", "PR") else "SD"
        if best == "NE" or order[c] < order[best]:
            best = c
    return {"pd_day": pd_day, "best_response": best, "categories": cats,
            "last_assessment_day": float(assess_days[len(cats) - 1]) if cats else 0.0}
