"""Exposure-driven adverse events and the dose interruptions, reductions and discontinuations they trigger.

The model (``docs/toxicity.md``; parameters with units and sources in ``clinic/data/toxicity.yaml``):
for each adverse event ``k`` and patient ``i`` an episode starts on a day ``[t, t + dt]`` (``t`` = days
since the first dose) with probability ``1 - exp(-dH)``::

    dH = z_ik · (E_i(t) / E_ref)^β_k · [((t + dt)/s_k)^a_k − (t/s_k)^a_k] · (recurrence factor after a first episode)

a Weibull baseline (shape ``a_k`` < 1: early onset, e.g. stomatitis; > 1: late, e.g. pneumonitis) scaled
by a power of the exposure (β from the exposure–toxicity meta-analysis B08 where it gives one) and by a
gamma frailty ``z_ik`` (mean 1). ``E_i(t)`` is the patient's *sustained* exposure at the dose actually
taken: the lowest daily metric at full dose (the caller's input) over a trailing window
(``sustained_window``; for daily dosing simply the trough) × the dose fraction smoothed with the drug's
half-life (PK is linear, so exposure follows dose proportionally, with the lag of the half-life).

At onset the episode's worst grade (1–4) is drawn (the grade 3–4 share scaled by
``(E/E_ref)^severity_beta``), with a log-normal duration (days at grade ≥ 2 until recovery to grade ≤ 1). The grade triggers the label's dose-modification rule for that event class
(hold until grade ≤ 1 and restart at the same level; restart one level lower; discontinue), with
"consider" applied with a stated probability. Holds longer than ``max_hold`` end in discontinuation.
The label's dose levels are data as well (:func:`dose_levels_mg`; everolimus 10 → 5 → 2.5 mg). Everolimus
also has a lumped event, ``other_aes``, for the adverse events not modelled one by one (infections,
cytopenias, diarrhoea, …), fitted so that all events together give BOLERO-2's dose modifications (A07).

Everything is vectorised over patients (one loop over days); the same generator state gives the same
result.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

import numpy as np
import pandas as pd
import xarray as xr
import yaml

from .._errors import InputError, UnknownNameError
from ..biology import get_drug

#: actions an adverse event can trigger (column ``action`` of :attr:`ToxicityResult.events`)
ACTIONS = ("none", "interrupt", "reduce", "discontinue")
#: columns of :attr:`ToxicityResult.events` (the first five are the interface; the rest are extra detail)
EVENT_COLUMNS = ("patient", "event", "grade", "onset_day", "action", "resolution_day", "dose_after_mg")
_RULE_CLASSES = ("stomatitis", "pneumonitis", "metabolic", "metabolic_pi3k", "other", "discontinuation")


@dataclass(frozen=True)
class ToxicityResult:
    """Adverse events of one drug in a population of patients.

    Attributes
    ----------
    events : DataFrame, one row per episode: ``patient`` (int, row of the exposure array), ``event``
        (e.g. ``stomatitis``), ``grade`` (1–4, CTCAE-like worst grade), ``onset_day`` (day value from
        ``days``), ``action`` (``none``, ``interrupt``, ``reduce``, ``discontinue``), plus
        ``resolution_day`` (day the episode is back to grade ≤ 1) and ``dose_after_mg`` (dose level after
        the action; 0 after discontinuation).
    dose_fraction : (n_patients, n_days) float: dose taken each day / full dose (1 full, 0 held or
        discontinued, reduced level / full dose otherwise).
    discontinued_day : (n_patients,) float: day (from ``days``) of discontinuation for toxicity, nan if never.
    drug, dose_levels_mg, days : what was simulated; ``exposure_metric`` names the metric and its unit.
    """

    events: pd.DataFrame = field(compare=False)
    dose_fraction: np.ndarray = field(compare=False)
    discontinued_day: np.ndarray = field(compare=False)
    drug: str = ""
    dose_levels_mg: tuple[float, ...] = ()
    days: np.ndarray = field(default=None, compare=False)
    exposure_metric: str = ""

    def rates(self, n_patients: int | None = None) -> pd.DataFrame:
        """Share of patients with each event at any grade and at grade ≥ 3 (index: event)."""
        n = self.dose_fraction.shape[0] if n_patients is None else n_patients
        ev = self.events
        out = {}
        for name in sorted(set(ev["event"])) if len(ev) else []:
            e = ev[ev["event"] == name]
            out[name] = {"any_grade": e["patient"].nunique() / n, "grade_3_4": e[e["grade"] >= 3]["patient"].nunique() / n}
        return pd.DataFrame(out).T.rename_axis("event")


# ------------------------------------------------------------------------------------------------ data
@lru_cache(maxsize=1)
def _data() -> dict:
    return yaml.safe_load(resources.files("mtorsim.clinic").joinpath("data/toxicity.yaml").read_text())


def toxicity_drugs() -> list[str]:
    """Drugs with an adverse-event model."""
    return [k for k in _data() if k != "rules"]


def _val(entry: dict, key: str, drug: str, event: str = ""):
    raw = entry.get(key)
    where = f"toxicity.{drug}{'.' + event if event else ''}.{key}"
    if not isinstance(raw, dict) or "value" not in raw or not raw.get("source"):
        raise InputError(where, raw, "a mapping {value, unit, source}")
    return raw["value"]


@dataclass(frozen=True)
class _EventModel:
    name: str
    rule: str
    beta: float
    shape: float
    scale_d: float
    frailty_var: float
    recurrence: float
    grade_cum: np.ndarray = field(compare=False)
    duration_median_d: np.ndarray = field(compare=False)
    duration_sigma: float
    intolerable_g2: float
    severity_beta: float = 0.0


@dataclass(frozen=True)
class _DrugModel:
    drug: str
    metric: str
    metric_unit: str
    e_ref: float
    half_life_h: float
    max_hold_d: float
    window_d: float
    events: tuple[_EventModel, ...]
    dose_levels: tuple[float, ...] = ()  # the label's levels at its starting dose, mg (first = starting dose)


def _decreasing_positive(levels) -> bool:
    """Dose levels: at least one, each finite and positive, strictly decreasing."""
    return bool(levels) and all(math.isfinite(x) and x > 0 for x in levels) and all(b < a for a, b in zip(levels[:-1], levels[1:]))


@lru_cache(maxsize=None)
def _model(drug: str) -> _DrugModel:
    data = _data()
    try:
        name = get_drug(drug).name
    except UnknownNameError:
        name = drug
    if name not in data or name == "rules":
        raise UnknownNameError("drug (with an adverse-event model)", drug, toxicity_drugs())
    d = data[name]
    events = []
    for ev, e in d["events"].items():
        if e["rule"] not in _RULE_CLASSES:
            raise InputError(f"toxicity.{name}.{ev}.rule", e["rule"], ", ".join(_RULE_CLASSES))
        probs = np.asarray(_val(e, "grade_probs", name, ev), dtype=float)
        if probs.shape != (4,) or np.any(probs < 0) or abs(probs.sum() - 1) > 1e-3:
            raise InputError(f"toxicity.{name}.{ev}.grade_probs", probs.tolist(), "four non-negative probabilities (grades 1-4) summing to 1")
        probs = probs / probs.sum()
        dur = np.asarray(_val(e, "duration_median", name, ev), dtype=float)
        if dur.shape != (4,) or np.any(dur <= 0):
            raise InputError(f"toxicity.{name}.{ev}.duration_median", dur.tolist(), "four positive medians in days (grades 1-4)")
        events.append(_EventModel(ev, e["rule"], float(_val(e, "beta", name, ev)), float(_val(e, "shape", name, ev)),
                                  float(_val(e, "scale", name, ev)), float(_val(e, "frailty_var", name, ev)),
                                  float(_val(e, "recurrence_factor", name, ev)), np.cumsum(probs), dur,
                                  float(_val(e, "duration_sigma", name, ev)), float(_val(e, "intolerable_grade2", name, ev)),
                                  float(_val(e, "severity_beta", name, ev)) if "severity_beta" in e else 0.0))
    m = d["exposure_metric"]
    raw = _val(d, "dose_levels", name)
    lv = tuple(float(x) for x in raw) if isinstance(raw, list) and all(isinstance(x, (int, float)) for x in raw) else ()
    if not _decreasing_positive(lv):
        raise InputError(f"toxicity.{name}.dose_levels", raw, "the label's starting dose then each reduced level in mg, positive and decreasing")
    return _DrugModel(name, str(m["name"]), str(m["unit"]), float(_val(d, "reference_exposure", name)),
                      float(_val(d, "half_life", name)), float(_val(d, "max_hold", name)),
                      float(_val(d, "sustained_window", name)), tuple(events), lv)


def dose_levels_mg(drug: str, full_dose_mg: float) -> list[float]:
    """The dose levels a patient steps down through, in mg: the starting dose, then each reduced level.

    The levels are data (``dose_levels`` in ``clinic/data/toxicity.yaml``, with the label as source):
    everolimus 10 → 5 → 2.5 mg (label: each reduction ~50 % of the previous dose), alpelisib
    300 → 250 → 200 mg, temsirolimus 25 → 20 → 15 mg. A starting dose other than the label's scales the
    levels in proportion (e.g. everolimus 70 mg weekly → 70, 35, 17.5 mg; assumed). A reduction below
    the last level discontinues (:func:`simulate_toxicity`).

    Parameters
    ----------
    drug : a drug with an adverse-event model (:func:`toxicity_drugs`).
    full_dose_mg : the starting dose (mg per administration), finite and positive.

    Examples
    --------
    >>> dose_levels_mg("everolimus", 10)
    [10.0, 5.0, 2.5]
    """
    m = _model(drug)
    if isinstance(full_dose_mg, bool) or not isinstance(full_dose_mg, (int, float, np.integer, np.floating)) \
            or not (math.isfinite(float(full_dose_mg)) and full_dose_mg > 0):
        raise InputError("full_dose_mg", full_dose_mg, "the starting dose in mg, a finite positive number (e.g. 10)")
    ref = m.dose_levels[0]
    return [float(full_dose_mg) * x / ref for x in m.dose_levels]


def toxicity_table() -> pd.DataFrame:
    """Every adverse-event parameter with its unit and source (tidy: drug, event, parameter, value, unit, source)."""
    rows = []
    for drug in toxicity_drugs():
        d = _data()[drug]
        for key in ("reference_exposure", "half_life", "max_hold", "sustained_window", "dose_levels"):
            rows.append({"drug": drug, "event": "", "parameter": key, "value": d[key]["value"], "unit": d[key]["unit"],
                         "source": d[key]["source"]})
        for ev, e in d["events"].items():
            for key, raw in e.items():
                if isinstance(raw, dict):
                    rows.append({"drug": drug, "event": ev, "parameter": key, "value": raw["value"], "unit": raw.get("unit", ""),
                                 "source": raw.get("source", "")})
    return pd.DataFrame(rows)


def metric_source(metric: str) -> tuple[str, str]:
    """The PK matrix (``whole_blood`` or ``plasma``) and the daily statistic (``min`` or ``mean``) an exposure metric
    is computed from: ``*_daily_trough`` is each day's minimum, ``*_daily_mean`` its mean (AUC / 24 h)."""
    var = "whole_blood" if metric.startswith("whole_blood") else "plasma"
    return var, "mean" if metric.endswith("daily_mean") else "min"


def _rule(rule: str, grade: int) -> tuple[str, str, float]:
    """(first action, recurrence action, probability that a 'discontinue' on recurrence is applied)."""
    r = _data()["rules"][rule][f"grade{grade}"]
    if isinstance(r, str):
        return r, r, 1.0
    return r["first"], r["recurrence"], float(r.get("p_recurrence_discontinue", 1.0))


# ------------------------------------------------------------------------------------------------ exposure helper
def toxicity_exposure(profiles: xr.Dataset, *, n_days: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The daily exposure metric that :func:`simulate_toxicity` expects, from PK profiles.

    ``profiles`` is a :func:`~mtorsim.clinic.pk_population` (or :func:`~mtorsim.clinic.pk_profile`)
    Dataset at the FULL dose. For each day ``[24 d, 24 (d + 1)]`` h the metric is the minimum
    concentration over ``(24 d, 24 (d + 1)]`` in the drug's exposure matrix (everolimus: whole blood,
    ng/mL): for a daily regimen, the trough just before the next dose; for a ``*_daily_mean`` metric
    (sapanisertib) the mean over the day's samples instead.

    Returns ``(exposure, days)``: an (n_patients, n_days) array and the day numbers 0, 1, … (days since
    the first dose).
    """
    m = _model(str(profiles.attrs.get("drug", "")))
    var, stat = metric_source(m.metric)
    if var not in profiles:
        raise InputError("profiles", sorted(profiles.data_vars), f"a PK Dataset with {var!r} (the {m.drug} exposure metric)")
    t = profiles["time"].values.astype(float)
    c = profiles[var].values.astype(float)
    if c.ndim == 1:
        c = c[None, :]
    total = int(math.floor(t[-1] / 24.0 + 1e-9))
    n = total if n_days is None else int(n_days)
    if not (1 <= n <= total):
        raise InputError("n_days", n_days, f"between 1 and the whole days covered by the profiles ({total})")
    out = np.empty((c.shape[0], n))
    for d in range(n):
        sel = (t > 24.0 * d + 1e-9) & (t <= 24.0 * (d + 1) + 1e-9)
        out[:, d] = c[:, sel].min(axis=1) if stat == "min" else c[:, sel].mean(axis=1)
    return out, np.arange(n, dtype=float)


# ------------------------------------------------------------------------------------------------ simulation
def _check(exposure, days, dose_levels_mg):
    e = np.asarray(exposure, dtype=float)
    if e.ndim != 2 or e.shape[0] < 1 or e.shape[1] < 1:
        raise InputError("exposure", getattr(exposure, "shape", exposure), "a 2-D array n_patients x n_days")
    if not np.all(np.isfinite(e)) or np.any(e < 0):
        raise InputError("exposure", "non-finite or negative values", "finite, non-negative daily exposures")
    dd = np.asarray(days, dtype=float)
    if dd.ndim != 1 or len(dd) != e.shape[1]:
        raise InputError("days", getattr(days, "shape", days), f"a 1-D array of {e.shape[1]} day values (one per exposure column)")
    if not np.all(np.isfinite(dd)) or dd[0] < 0 or (len(dd) > 1 and np.any(np.diff(dd) <= 0)):
        raise InputError("days", "not strictly increasing non-negative", "strictly increasing days since the first dose")
    lv = tuple(float(x) for x in dose_levels_mg) if isinstance(dose_levels_mg, Sequence) or isinstance(dose_levels_mg, np.ndarray) else None
    if not _decreasing_positive(lv):
        raise InputError("dose_levels_mg", dose_levels_mg, "the full dose then each reduced level, positive and decreasing, e.g. [10, 5, 2.5] (dose_levels_mg)")
    return e, dd, lv


def _draw_grade(ev: _EventModel, rel_exposure: float, u: float) -> int:
    """Worst grade of an episode: grade 3-4 mass p34 x (E/E_ref)^severity_beta (capped at 0.95), the
    grade 1:2 and 3:4 splits kept."""
    p = np.diff(ev.grade_cum, prepend=0.0)
    p34 = p[2] + p[3]
    if ev.severity_beta and p34 > 0 and rel_exposure > 0:
        q34 = min(p34 * rel_exposure ** ev.severity_beta, 0.95)
        p = np.concatenate([p[:2] * (1 - q34) / max(1 - p34, 1e-12), p[2:] * q34 / p34])
    return min(int(np.searchsorted(np.cumsum(p), u, side="right")) + 1, 4)


def simulate_toxicity(drug: str, exposure: np.ndarray, *, days: np.ndarray, rng: np.random.Generator,
                      dose_levels_mg: Sequence[float]) -> ToxicityResult:
    """Simulate adverse events, grades, onset and the dose modifications they trigger.

    Parameters
    ----------
    drug : a drug with an adverse-event model (:func:`toxicity_drugs`; e.g. ``"everolimus"``).
    exposure : (n_patients, n_days) daily exposure metric at the FULL dose (everolimus: whole-blood daily
        trough in ng/mL, see :func:`toxicity_exposure`). A day with zero exposure has no new events
        (use it for days off treatment, e.g. after progression).
    days : (n_days,) day values of the exposure columns: days since the first dose, strictly increasing
        (usually ``np.arange(n_days)``).
    rng : numpy Generator; the same state gives the same result.
    dose_levels_mg : the full dose then each reduced level, mg; the label's levels are
        ``dose_levels_mg(drug, full_dose)`` (everolimus ``[10, 5, 2.5]``: each reduction ~50 % of the
        previous dose). A reduction below the last level discontinues.

    Returns
    -------
    :class:`ToxicityResult` (events table, daily dose fraction, discontinuation day).

    Exposure follows the dose taken: ``E = exposure × f_eff`` where ``f_eff`` relaxes towards the day's dose
    fraction with the drug's half-life (linear PK). Events after discontinuation are not simulated.
    """
    m = _model(drug)
    if not isinstance(rng, np.random.Generator):
        raise InputError("rng", type(rng).__name__, "a numpy.random.Generator (np.random.default_rng(seed))")
    e, dd, levels = _check(exposure, days, dose_levels_mg)
    return _simulate(m, e, dd, rng, levels)


class _SharedDraws:
    """Random numbers for :func:`_simulate` from one generator shared by all patients (the public API)."""

    def __init__(self, rng: np.random.Generator, n: int, K: int):
        self.rng, self.shape = rng, (n, K)

    def frailty(self, shape: float, scale: float) -> np.ndarray:
        return self.rng.gamma(shape, scale, size=self.shape[0])

    def onset(self, j: int) -> np.ndarray:
        return self.rng.random(self.shape)

    def episodes(self, pi: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        return self.rng.random(len(pi)), self.rng.standard_normal(len(pi)), self.rng.random(len(pi))


class _PatientDraws:
    """Random numbers for :func:`_simulate` from one generator per patient, so that a patient's adverse
    events do not depend on which other patients are simulated with it (a virtual trial batches the
    patients of a chunk; its results must not depend on the chunk size). The daily onset draws are taken
    up front (``n_days × K`` per patient), the rest as episodes occur."""

    def __init__(self, rngs: Sequence[np.random.Generator], n_days: int, K: int):
        self.rngs = list(rngs)
        self.u = np.stack([g.random((n_days, K)) for g in self.rngs]) if self.rngs else np.empty((0, n_days, K))

    def frailty(self, shape: float, scale: float) -> np.ndarray:
        return np.array([g.gamma(shape, scale) for g in self.rngs])

    def onset(self, j: int) -> np.ndarray:
        return self.u[:, j, :]

    def episodes(self, pi: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        out = np.array([(self.rngs[p].random(), self.rngs[p].standard_normal(), self.rngs[p].random()) for p in pi]).reshape(-1, 3)
        return out[:, 0], out[:, 1], out[:, 2]


def simulate_toxicity_patients(drug: str, exposure: np.ndarray, *, days: np.ndarray, rngs: Sequence[np.random.Generator],
                               dose_levels_mg: Sequence[float]) -> ToxicityResult:
    """:func:`simulate_toxicity` with one generator per patient (row of ``exposure``): each patient's
    events depend on its own generator only, whatever other rows are simulated with it. Used by the
    virtual trial to simulate a chunk of patients in one pass of the daily loop."""
    m = _model(drug)
    if len(rngs) and not all(isinstance(g, np.random.Generator) for g in rngs):
        raise InputError("rngs", [type(g).__name__ for g in rngs][:3], "one numpy.random.Generator per patient")
    e, dd, levels = _check(exposure, days, dose_levels_mg)
    if len(rngs) != e.shape[0]:
        raise InputError("rngs", len(rngs), f"one generator per row of exposure ({e.shape[0]})")
    return _simulate(m, e, dd, _PatientDraws(rngs, e.shape[1], len(m.events)), levels)


def _simulate(m: _DrugModel, e: np.ndarray, dd: np.ndarray, rng, levels: tuple[float, ...]) -> ToxicityResult:
    """:func:`simulate_toxicity` for a given (possibly modified, e.g. while fitting) drug model; inputs checked.
    ``rng``: a Generator shared by all patients, or a :class:`_PatientDraws` (one generator per patient)."""
    n, n_days = e.shape
    draws = _SharedDraws(rng, n, len(m.events)) if isinstance(rng, np.random.Generator) else rng
    K = len(m.events)
    t = dd  # days since the first dose (the Weibull clock)
    step = np.diff(dd, append=dd[-1] + (dd[-1] - dd[-2] if n_days > 1 else 1.0))
    # Weibull baseline increments per day and event, (K, n_days)
    base = np.empty((K, n_days))
    for k, ev in enumerate(m.events):
        base[k] = ((t + step) / ev.scale_d) ** ev.shape - (t / ev.scale_d) ** ev.shape
    # sustained exposure: the lowest daily metric over the trailing window (= the daily trough for daily dosing)
    width = max(1, int(round(m.window_d / float(np.median(step)))))
    sustained = e.copy()
    for s in range(1, min(width, n_days)):
        np.minimum(sustained[:, s:], e[:, :-s], out=sustained[:, s:])
    beta = np.array([ev.beta for ev in m.events])
    recur = np.array([ev.recurrence for ev in m.events])
    frailty = np.empty((n, K))
    for k, ev in enumerate(m.events):
        frailty[:, k] = draws.frailty(1.0 / ev.frailty_var, ev.frailty_var) if ev.frailty_var > 0 else 1.0
    rules = {(ev.rule, g): _rule(ev.rule, g) for ev in m.events for g in (1, 2, 3, 4)}
    decay = np.exp(-math.log(2.0) * 24.0 * step / m.half_life_h)  # per-day relaxation of the effective dose fraction
    full = levels[0]
    frac_of = np.array(levels) / full

    level = np.zeros(n, dtype=int)
    held_until = np.full(n, -np.inf)
    disc = np.zeros(n, dtype=bool)
    disc_day = np.full(n, np.nan)
    f_eff = np.ones(n)
    active_until = np.full((n, K), -np.inf)  # day the current episode ends
    n_episodes = np.zeros((n, K), dtype=int)
    n_acted = np.zeros((n, K, 5), dtype=int)  # prior episodes at each grade that triggered an action
    dose_fraction = np.empty((n, n_days))
    rows: list[tuple] = []
    log_ref = math.log(m.e_ref)

    for j in range(n_days):
        day = dd[j]
        f = np.where(disc | (held_until > day), 0.0, frac_of[level])
        dose_fraction[:, j] = f
        f_eff = f + (f_eff - f) * decay[j]
        eff = sustained[:, j] * f_eff
        pos = eff > 0
        loge = np.log(np.where(pos, eff, 1.0)) - log_ref
        rel = np.where(pos[:, None], np.exp(beta[None, :] * loge[:, None]), 0.0)  # (n, K)
        haz = rel * frailty * base[:, j][None, :] * np.where(n_episodes > 0, recur[None, :], 1.0)
        haz[(active_until > day) | disc[:, None]] = 0.0
        u = draws.onset(j)
        onset = u < -np.expm1(-haz)
        if not onset.any():
            continue
        pi, ki = np.nonzero(onset)
        gu, zu, cu = draws.episodes(pi)
        for p, k, g_u, z, c_u in zip(pi, ki, gu, zu, cu):
            ev = m.events[k]
            grade = _draw_grade(ev, eff[p] / m.e_ref, g_u)
            dur = float(ev.duration_median_d[grade - 1] * math.exp(ev.duration_sigma * z))
            end = day + dur
            active_until[p, k] = end
            n_episodes[p, k] += 1
            first, again, p_disc = rules[(ev.rule, grade)]
            recurrence = n_acted[p, k, grade] > 0
            action = again if recurrence else first
            if grade == 2 and action != "none" and c_u >= ev.intolerable_g2:
                action = "none"  # grade 2 judged tolerable: no dose change (label)
            elif action == "discontinue" and recurrence and grade < 4 and c_u >= p_disc:
                action = "reduce"  # 'consider discontinuation' not applied: restart lower instead
            if disc[p]:
                action = "none"
            if action in ("interrupt", "reduce"):
                n_acted[p, k, grade] += 1
                if dur > m.max_hold_d and grade >= 2:
                    action = "discontinue"
                elif action == "reduce":
                    if level[p] + 1 >= len(levels):
                        action = "discontinue"
                    else:
                        level[p] += 1
                        held_until[p] = max(held_until[p], end)
                else:
                    held_until[p] = max(held_until[p], end)
            if action == "discontinue":
                disc[p] = True
                disc_day[p] = day
            dose_after = 0.0 if disc[p] else levels[level[p]]
            rows.append((int(p), ev.name, grade, float(day), action, float(end), dose_after))
    events = pd.DataFrame(rows, columns=list(EVENT_COLUMNS))
    events = events.astype({"patient": int, "grade": int, "onset_day": float, "resolution_day": float, "dose_after_mg": float})
    events = events.sort_values(["patient", "onset_day", "event"], kind="stable").reset_index(drop=True)
    events.attrs.update({"drug": m.drug, "exposure_metric": f"{m.metric} ({m.metric_unit})", "onset_day_units": "d"})
    return ToxicityResult(events=events, dose_fraction=dose_fraction, discontinued_day=disc_day, drug=m.drug,
                          dose_levels_mg=tuple(levels), days=dd, exposure_metric=f"{m.metric} ({m.metric_unit})")
