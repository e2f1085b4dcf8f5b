"""Calibration and timing of the everolimus adverse-event model (mtorsim.clinic.simulate_toxicity).

Run: PYTHONPATH=src python benchmarks/toxicity_calibration.py [n_patients] [seed]
Joint fit of the five named everolimus events (scales, grade 3-4 shares, stomatitis shape) and the lumped event
``other_aes`` (scale, grade 3-4 share) to their incidence targets, A09's early onset and A07's dose modifications:
     PYTHONPATH=src python benchmarks/toxicity_calibration.py --fit [n_patients] [seed]   (used: --fit 1000 2024)

A BOLERO-2-like population: everolimus 10 mg daily (pk_population exposures, whole-blood daily trough),
treatment until progression (exponential, median 7.8 months = A03 investigator median PFS) or
discontinuation for toxicity; rates are shares of patients with >= 1 episode while on treatment. Dose
levels are the label's (dose_levels_mg: 10 -> 5 -> 2.5 mg).
Targets are printed beside the simulated numbers (evidence ids; 'assumed' targets are marked); the
held-out checks (not fitted) are marked HELD-OUT.
The daily-vs-weekly comparison uses A26 (Ellard 2009): 10 mg daily vs 70 mg weekly.
"""

from __future__ import annotations

import dataclasses
import sys
import time

import numpy as np

from mtorsim.clinic import dose_levels_mg, pk_population, simulate_toxicity, toxicity_exposure
from mtorsim.clinic._toxicity import _model, _simulate

A07 = {"reductions": 360 / 482, "interruptions": 705 / 482}  # BOLERO-2 EVE arm, all AEs (Rugo 2014 Ann Oncol)
TARGETS = {  # event: (any grade, grade 3-4, source)
    "stomatitis": (0.67, 0.09, "A09"),
    "pneumonitis": (0.12, 0.03, "assumed between A34 (2-6 %) and A26 (16 %)"),
    "hyperglycaemia": (0.14, 0.045, "assumed (A08 not verified)"),
    "fatigue": (0.33, 0.04, "assumed (A08 not verified)"),
    "rash": (0.36, 0.01, "assumed (A08 not verified)"),
}
LEVELS = dose_levels_mg("everolimus", 10)  # [10, 5, 2.5] (label)
N_DAYS = 730


def population_exposure(regimen: str, n: int, seed: int, n_days: int, pk_days: int = 21) -> np.ndarray:
    """Daily troughs: the PK is simulated for pk_days (7 periods for weekly) and the last dosing period repeated."""
    pop = pk_population("everolimus", regimen, n, seed=seed, days=pk_days, step_h=1.0)
    e, _ = toxicity_exposure(pop)
    period = 7 if "weekly" in regimen else 1
    last = e[:, -period:]
    reps = int(np.ceil((n_days - e.shape[1]) / period)) + 1
    return np.concatenate([e, np.tile(last, reps)], axis=1)[:, :n_days]


def on_treatment(n: int, n_days: int, seed: int, median_days: float = 7.8 * 30.44) -> np.ndarray:
    rng = np.random.default_rng(seed + 1)
    stop = rng.exponential(median_days / np.log(2), size=n)
    return np.arange(n_days)[None, :] < stop[:, None]


def modifications(res, on: np.ndarray) -> dict[str, float]:
    """Per-patient dose-modification numbers; 'interruptions' count interrupt + reduce actions (a reduction
    starts with a hold), as the trial summary does."""
    n = res.dose_fraction.shape[0]
    ev = res.events
    disc = np.isfinite(res.discontinued_day)
    # relative total dose intensity over the first 24 weeks of planned treatment (DESIREE): dose taken / dose
    # planned while not progressed; holds and discontinuation for toxicity count as 0
    first = on[:, :168]
    rtdi = (res.dose_fraction[:, :168] * first).sum(axis=1) / np.maximum(first.sum(axis=1), 1)
    return {"reductions": float((ev.action == "reduce").sum() / n),
            "interruptions": float(ev.action.isin(["interrupt", "reduce"]).sum() / n),
            "any_modification": float(ev[ev.action != "none"].patient.nunique() / n),
            "discontinued": float(disc.mean()),
            "discontinued_3wk": float(np.mean(disc & (res.discontinued_day < 21))),
            "rtdi_24wk_median": float(np.median(rtdi)),
            "dose_intensity_mg_day": float((res.dose_fraction * LEVELS[0])[on].sum() / on.sum()),
            # per patient: dose taken / days from the first dose to the end of treatment (progression or discontinuation)
            "dose_intensity_median_mg_day": float(np.median(_per_patient_intensity(res, on)))}


def _per_patient_intensity(res, on: np.ndarray) -> np.ndarray:
    days = np.arange(on.shape[1])
    stop = np.where(np.isfinite(res.discontinued_day), res.discontinued_day, np.inf)
    treated = on & (days[None, :] < stop[:, None])
    return (res.dose_fraction * LEVELS[0] * treated).sum(axis=1) / np.maximum(treated.sum(axis=1), 1)


ST_EARLY = 0.89  # A09: share of first stomatitis episodes within 8 weeks


def with_event_params(model, params: dict[str, dict[str, float]], base_probs):
    """``model`` (a drug's adverse-event model) with, per event in ``params``, ``scale`` (d), ``g34`` (grade 3-4 share
    at the reference exposure) and optionally ``shape`` replaced; the grade 1:2 and 3:4 splits of ``base_probs(event)``
    are kept (without grade 1-2 mass: all of it at grade 2; without grade 3-4 mass: grade 4 = 5 % of it)."""
    events = []
    for ev in model.events:
        q = params.get(ev.name)
        if q is None:
            events.append(ev)
            continue
        p = np.asarray(base_probs(ev), dtype=float)
        g34 = float(q["g34"])
        lo = p[:2] * (1 - g34) / p[:2].sum() if p[:2].sum() > 0 else np.array([0.0, 1 - g34])
        hi = p[2:] * g34 / p[2:].sum() if p[2:].sum() > 0 else np.array([0.95 * g34, 0.05 * g34])
        events.append(dataclasses.replace(ev, scale_d=float(q["scale"]), shape=float(q.get("shape", ev.shape)),
                                          grade_cum=np.cumsum(np.concatenate([lo, hi]))))
    return dataclasses.replace(model, events=tuple(events))


def _joint_model(params: dict[str, dict[str, float]]):
    """The everolimus model with the fitted values in ``params`` (:func:`with_event_params`), the grade splits of
    START_PROBS kept: for other_aes grade 1 = 0 and grade 4 = 5 % of the grade 3-4 mass."""
    return with_event_params(_model("everolimus"), params, lambda ev: START_PROBS[ev.name])


# starting point of the joint fit (fixed, so that --fit N SEED is reproducible whatever toxicity.yaml holds): the
# values before it, i.e. the named events fitted one by one without other_aes and other_aes fitted to A07 with them
START = {"stomatitis": {"scale": 2.23, "g34": 0.106, "shape": 0.2}, "pneumonitis": {"scale": 1340.0, "g34": 0.232},
         "hyperglycaemia": {"scale": 4570.0, "g34": 0.332}, "fatigue": {"scale": 637.0, "g34": 0.085},
         "rash": {"scale": 511.0, "g34": 0.026}, "other_aes": {"scale": 134.0, "g34": 0.55}}
START_PROBS = {"stomatitis": [0.298, 0.596, 0.101, 0.005], "pneumonitis": [0.443, 0.325, 0.211, 0.021],  # grades 1-4
               "hyperglycaemia": [0.349, 0.319, 0.302, 0.030], "fatigue": [0.572, 0.343, 0.085, 0.0],
               "rash": [0.753, 0.221, 0.026, 0.0], "other_aes": [0.0, 0.45, 0.5225, 0.0275]}


def _current_params() -> dict[str, dict[str, float]]:
    m = _model("everolimus")
    out = {}
    for ev in m.events:
        if ev.name in TARGETS or ev.name == "other_aes":
            p = np.diff(ev.grade_cum, prepend=0.0)
            out[ev.name] = {"scale": ev.scale_d, "g34": float(p[2] + p[3]), "shape": ev.shape, "frailty_var": ev.frailty_var}
    return out


def _gamma_h(p: float, theta: float) -> float:
    """Integrated hazard that gives incidence p under a gamma frailty of variance theta: 1 - (1 + theta H)^(-1/theta)."""
    p = min(max(p, 1e-4), 0.999)
    return ((1 - p) ** (-theta) - 1) / theta if theta > 0 else -np.log(1 - p)


def fit_joint(n: int = 1000, seed: int = 2024, n_rng: int = 12, passes: int = 20, damp: float = 0.7,
              fit_shape: bool = True) -> dict[str, dict[str, float]]:
    """JOINT refit, in the BOLERO-2-like fitting population, of the five named events' scales and grade 3-4
    shares, stomatitis's Weibull shape (A09 early onset), and other_aes's scale and grade 3-4 share, so that the
    named events' any-grade and grade 3-4 rates (TARGETS), A09's early-onset share and A07's reductions and
    interruptions per patient hold together. Damped fixed-point passes, each simulation averaged over n_rng
    generator seeds (seed .. seed + n_rng - 1):

    * named scale x (H(sim) / H(target))^(damp / shape), H(p) the integrated hazard that gives incidence p under
      the event's gamma frailty;
    * named grade 3-4 share x (target / sim)^damp (of the grade 3-4 rate);
    * stomatitis shape x (1 + 4 damp (early_sim - 0.89) / 0.89) (more early onset at a smaller shape; the share
      moves little with the shape, hence the gain 4);
    * other_aes scale from its share of the interruptions A07 still needs (episode count ~ scale^-shape), and its
      grade 3-4 share from the reduction / interruption ratio A07 needs (d ratio / d share ~ 0.65).

    The result is the average of the iterates over the second half of the passes (geometric for scales), which
    beats the Monte Carlo noise left in single passes; it is rounded as written to toxicity.yaml and simulated
    once more for the printed before/after table. Returns the rounded parameters."""
    e = population_exposure("10 mg daily", n, seed, N_DAYS)
    on = on_treatment(n, N_DAYS, seed)
    x, days = e * on, np.arange(N_DAYS, dtype=float)
    m0 = _model("everolimus")
    theta = {ev.name: ev.frailty_var for ev in m0.events}
    shape = {ev.name: ev.shape for ev in m0.events}

    def run(params):
        model = params if isinstance(params, type(m0)) else _joint_model(params)
        rs = [_simulate(model, x, days, np.random.default_rng(seed + i), tuple(LEVELS)) for i in range(n_rng)]
        rates = sum(r.rates(n) for r in rs) / n_rng
        mo = {k: float(np.mean([modifications(r, on)[k] for r in rs])) for k in ("reductions", "interruptions", "discontinued")}
        oth = [r.events[r.events.event == "other_aes"].action for r in rs]
        mo["oth_red"] = float(np.mean([(a == "reduce").sum() / n for a in oth]))
        mo["oth_int"] = float(np.mean([a.isin(["interrupt", "reduce"]).sum() / n for a in oth]))
        early = []
        for r in rs:
            st = r.events[r.events.event == "stomatitis"].groupby("patient").onset_day.min()
            early.append(float(np.mean(st < 56)))
        mo["st_early"] = float(np.mean(early))
        return rates, mo

    def table(rates, mo):
        rows = [f"{k:15s} {rates.loc[k, 'any_grade']:.3f} ({t[0]:.3f})  {rates.loc[k, 'grade_3_4']:.3f} ({t[1]:.3f})"
                for k, t in TARGETS.items()]
        rows.append(f"stomatitis first episodes < 8 weeks {mo['st_early']:.3f} ({ST_EARLY:.2f})")
        rows.append(f"reductions {mo['reductions']:.3f} ({A07['reductions']:.3f}), interruptions {mo['interruptions']:.3f} "
                    f"({A07['interruptions']:.3f}), discontinued {mo['discontinued']:.3f}")
        return "\n  ".join(rows)

    def fmt(params):
        return ", ".join(f"{k} scale {v['scale']:.4g} g34 {v['g34']:.3f}" + (f" shape {v['shape']:.3f}" if k == "stomatitis" else "")
                         for k, v in params.items())

    params = {k: dict(v) for k, v in START.items()}
    print(f"joint fit: n={n} patients, PK seed {seed}, {n_rng} generator seeds, {passes} damped passes (damp {damp})")
    rates0, mo0 = run(params)
    print("before (START: the values before the joint fit): " + fmt(params) + "\n  " + table(rates0, mo0))
    rates, mo, history = rates0, mo0, []
    for it in range(passes):
        new = {k: dict(v) for k, v in params.items()}
        for k, (a, g, _) in TARGETS.items():
            h_sim, h_tgt = _gamma_h(rates.loc[k, "any_grade"], theta[k]), _gamma_h(a, theta[k])
            new[k]["scale"] = params[k]["scale"] * (h_sim / h_tgt) ** (damp / params[k].get("shape", shape[k]))
            new[k]["g34"] = float(np.clip(params[k]["g34"] * (g / max(rates.loc[k, "grade_3_4"], 1e-3)) ** damp, 0.005, 0.9))
        if fit_shape:
            new["stomatitis"]["shape"] = params["stomatitis"]["shape"] * (1 + 4 * damp * (mo["st_early"] - ST_EARLY) / ST_EARLY)
        need_int = max(mo["oth_int"] + A07["interruptions"] - mo["interruptions"], 0.05)
        need_red = max(mo["oth_red"] + A07["reductions"] - mo["reductions"], 0.01)
        o = params["other_aes"]
        new["other_aes"]["scale"] = o["scale"] * (mo["oth_int"] / need_int) ** (damp / shape["other_aes"])
        ratio_gap = need_red / need_int - mo["oth_red"] / max(mo["oth_int"], 1e-9)
        new["other_aes"]["g34"] = float(np.clip(o["g34"] + damp * ratio_gap / 0.65, 0.05, 0.95))
        params = new
        history.append(params)
        if it + 1 < passes:
            rates, mo = run(params)
            print(f"pass {it + 1}: " + fmt(params) + "\n  " + table(rates, mo))
    late = history[len(history) // 2:]
    def avg(k, kk):
        vals = [h[k][kk] for h in late]
        return float(np.exp(np.mean(np.log(vals)))) if kk == "scale" else float(np.mean(vals))

    params = {k: {kk: avg(k, kk) for kk in v} for k, v in params.items()}
    print(f"averaged over passes {passes - len(late) + 1}-{passes}: " + fmt(params))
    # rounded as written to toxicity.yaml (3 significant digits for scales, 3 decimals for shares and shape)
    params = {k: {"scale": float(f"{v['scale']:.3g}"), "g34": round(v["g34"], 3),
                  **({"shape": round(v["shape"], 3)} if "shape" in v else {})} for k, v in params.items()}
    cur = _current_params()
    same = all(abs(cur[k]["scale"] / v["scale"] - 1) < 1e-9 and abs(cur[k]["g34"] - v["g34"]) < 1e-6
               and abs(cur[k]["shape"] - v.get("shape", cur[k]["shape"])) < 1e-9 for k, v in params.items())
    print("toxicity.yaml " + ("holds these values: the table below simulates it" if same else
                              "DIFFERS (the table below simulates the fitted values): " + fmt(cur)))
    rates, mo = run(m0 if same else params)
    print("after (rounded): " + fmt(params) + "\n  " + table(rates, mo))
    print(f"{'':36s} {'before':>8s} {'after':>8s} {'target':>8s}")
    for k, (a, g, src) in TARGETS.items():
        print(f"{k + ' any grade':36s} {rates0.loc[k, 'any_grade']:8.3f} {rates.loc[k, 'any_grade']:8.3f} {a:8.3f}  {src}")
        print(f"{k + ' grade 3-4':36s} {rates0.loc[k, 'grade_3_4']:8.3f} {rates.loc[k, 'grade_3_4']:8.3f} {g:8.3f}")
    print(f"{'stomatitis first episodes < 8 weeks':36s} {mo0['st_early']:8.3f} {mo['st_early']:8.3f} {ST_EARLY:8.3f}  A09")
    for k in A07:
        print(f"{k + ' per patient':36s} {mo0[k]:8.3f} {mo[k]:8.3f} {A07[k]:8.3f}  A07")
    print(f"{'discontinued for AEs':36s} {mo0['discontinued']:8.3f} {mo['discontinued']:8.3f} {'(held out)':>8s}")
    return params


def main(n: int = 700, seed: int = 2024) -> None:
    n_days = N_DAYS
    t0 = time.perf_counter()
    e = population_exposure("10 mg daily", n, seed, n_days)
    t_pk = time.perf_counter() - t0
    on = on_treatment(n, n_days, seed)
    t0 = time.perf_counter()
    res = simulate_toxicity("everolimus", e * on, days=np.arange(n_days, dtype=float), rng=np.random.default_rng(seed),
                            dose_levels_mg=LEVELS)
    t_tox = time.perf_counter() - t0
    print(f"n={n} patients x {n_days} days; PK {t_pk:.1f} s, simulate_toxicity {t_tox:.3f} s")
    rates = res.rates(n)
    print(f"{'event':15s} {'any sim':>8s} {'target':>7s} {'G3/4 sim':>9s} {'target':>7s}  source")
    for ev, (a, g, src) in TARGETS.items():
        r = rates.loc[ev] if ev in rates.index else {"any_grade": 0.0, "grade_3_4": 0.0}
        print(f"{ev:15s} {r['any_grade']:8.3f} {a:7.3f} {r['grade_3_4']:9.3f} {g:7.3f}  {src}")
    ev = res.events
    st = ev[ev.event == "stomatitis"].groupby("patient").onset_day.min()
    print(f"stomatitis first episodes within 8 weeks: {np.mean(st < 56):.3f} (A09: 0.89)")
    g2 = ev[(ev.event == "stomatitis") & (ev.grade >= 2) & (ev.onset_day < 84)].patient.nunique() / n
    print(f"stomatitis grade>=2 within 12 weeks: {g2:.3f} (DESIREE EVE 10 mg arm: 0.461)")
    mo = modifications(res, on)
    oth = rates.loc["other_aes"] if "other_aes" in rates.index else {"any_grade": 0.0, "grade_3_4": 0.0}
    print(f"other_aes (lumped, grade >= 2 episodes managed by a dose change): patients {oth['any_grade']:.3f}, "
          f"grade 3-4 {oth['grade_3_4']:.3f}")
    print(f"per patient: reductions {mo['reductions']:.2f} (A07: 360/482 = 0.75), interruptions {mo['interruptions']:.2f} "
          "(A07: 705/482 = 1.46; a reduction here includes its interruption)  [fitted jointly (--fit): other_aes scale and "
          "grade 3-4 share with the named events' scales and grade shares and stomatitis shape]")
    print(f"HELD-OUT patients with any dose modification {mo['any_modification']:.3f} "
          "(Afinitor HCP site: 62 % needed an interruption and/or reduction; weak host)")
    print(f"HELD-OUT discontinued for AEs {mo['discontinued']:.3f} (A34 BALLET: 13.0 % < 70 y, 23.8 % >= 70 y)")
    print(f"HELD-OUT discontinued for AEs within 3 weeks {mo['discontinued_3wk']:.3f} (DESIREE EVE 10 mg arm: 15.8 %)")
    print(f"HELD-OUT median relative total dose intensity, first 24 weeks {mo['rtdi_24wk_median']:.3f} "
          "(DESIREE EVE 10 mg arm: 80.0 %)")
    print(f"HELD-OUT median per-patient dose intensity {mo['dose_intensity_median_mg_day']:.2f} mg/day (first dose to end of "
          f"treatment; Afinitor HCP site: median 8.6 mg/day); mean over all days before progression, discontinued days "
          f"counted as 0: {mo['dose_intensity_mg_day']:.2f} mg/day")
    # exposure-toxicity: patients with a dose intervention vs none (B11: GM trough 17.4 vs 12.3 ug/L)
    tr = e[:, 20]
    acted = np.zeros(n, bool)
    acted[ev[ev.action != "none"].patient.unique()] = True
    gm = lambda x: float(np.exp(np.mean(np.log(x))))
    print(f"GM day-21 trough with/without dose intervention: {gm(tr[acted]):.1f} / {gm(tr[~acted]):.1f} (B11: 17.4 / 12.3)")
    # B12: Ctrough >= 17.3 ng/mL predicts dose-limiting toxicity (sub-HR 4.87, 1.53-15.5); here DLT = first grade >= 3 event
    hi = tr >= 17.3
    g3 = np.zeros(n, bool)
    g3[ev[ev.grade >= 3].patient.unique()] = True
    print(f"grade>=3 event share, day-21 trough >= 17.3 vs < 17.3 ng/mL: {g3[hi].mean():.3f} vs {g3[~hi].mean():.3f} "
          f"(ratio {g3[hi].mean() / max(g3[~hi].mean(), 1e-9):.2f}; B12 sub-HR 4.87 (1.53-15.5), n=19)")
    # B08: doubling exposure -> grade>=3 RR
    res2 = simulate_toxicity("everolimus", 2 * e * on, days=np.arange(n_days, dtype=float), rng=np.random.default_rng(seed),
                             dose_levels_mg=LEVELS)
    r2 = res2.rates(n)
    for evn, rr in (("stomatitis", "1.49 (1.05-2.10)"), ("pneumonitis", "1.93 (1.12-3.34)"), ("hyperglycaemia", "1.30 (1.02-1.65)")):
        print(f"G>=3 {evn} RR for 2x exposure: {r2.loc[evn, 'grade_3_4'] / max(rates.loc[evn, 'grade_3_4'], 1e-9):.2f} (B08 {rr})")
    # A26: daily 10 mg vs weekly 70 mg (monotherapy, until progression)
    ew = population_exposure("70 mg weekly", n, seed, n_days)
    rw = simulate_toxicity("everolimus", ew * on, days=np.arange(n_days, dtype=float), rng=np.random.default_rng(seed),
                           dose_levels_mg=dose_levels_mg("everolimus", 70))
    p_d = res.rates(n).loc["pneumonitis", "any_grade"]
    p_w = rw.rates(n).loc["pneumonitis", "any_grade"] if "pneumonitis" in rw.rates(n).index else 0.0
    print(f"A26 pneumonitis daily {p_d:.3f} vs weekly {p_w:.3f} (A26: 0.16 vs 0.06); HELD-OUT discontinuation "
          f"{np.mean(np.isfinite(res.discontinued_day)):.3f} vs {np.mean(np.isfinite(rw.discontinued_day)):.3f} (A26: 0.27 vs 0.13)")

    # temsirolimus (A27: 75 or 250 mg weekly; mucositis 70 %, rash 51 %; median TTP 12 weeks)
    half = n // 2
    parts = []
    for dose, s in ((75, seed), (250, seed + 1)):
        pop = pk_population("temsirolimus", f"{dose} mg iv weekly over 30 min", half, seed=s, days=7, step_h=1.0)
        et, _ = toxicity_exposure(pop)
        parts.append(np.tile(et, (1, n_days // 7 + 1))[:, :n_days])
    stop = np.random.default_rng(seed + 2).exponential(84 / np.log(2), size=2 * half)
    et = np.concatenate(parts) * (np.arange(n_days)[None, :] < stop[:, None])
    # the levels act as fractions of each patient's own starting dose (label 25 -> 20 -> 15 mg: 1, 0.8, 0.6), the
    # same for both arms
    rt = simulate_toxicity("temsirolimus", et, days=np.arange(n_days, dtype=float), rng=np.random.default_rng(seed),
                           dose_levels_mg=dose_levels_mg("temsirolimus", 75)).rates(2 * half)
    print(f"temsirolimus stomatitis {rt.loc['stomatitis', 'any_grade']:.3f} (A27 mucositis 0.70), rash {rt.loc['rash', 'any_grade']:.3f} (A27 0.51)")
    # alpelisib (SOLAR-1: 66 % hyperglycaemia, worst grade 3 32.7 %, grade 4 3.9 %, median onset of grade >= 3 15 d)
    pop = pk_population("alpelisib", "300 mg daily", n, seed=seed, days=4, step_h=1.0)
    ea, _ = toxicity_exposure(pop)
    ea = np.concatenate([ea, np.repeat(ea[:, -1:], n_days - ea.shape[1], axis=1)], axis=1)
    stop = np.random.default_rng(seed + 3).exponential(11.0 * 30.44 / np.log(2), size=n)  # assumed median 11 months
    ra = simulate_toxicity("alpelisib", ea * (np.arange(n_days)[None, :] < stop[:, None]), days=np.arange(n_days, dtype=float),
                           rng=np.random.default_rng(seed), dose_levels_mg=dose_levels_mg("alpelisib", 300))
    worst = ra.events.groupby("patient").grade.max()
    g3 = ra.events[ra.events.grade >= 3].groupby("patient").onset_day.min()
    print(f"alpelisib hyperglycaemia {len(worst) / n:.3f} (0.66), worst grade 3 {(worst == 3).sum() / n:.3f} (0.327), "
          f"grade 4 {(worst == 4).sum() / n:.3f} (0.039), median onset grade>=3 {np.median(g3):.0f} d (15)")


def script_entry(fit, main) -> None:
    """The command line of the adverse-event calibration scripts: ``--fit [n_patients] [seed]`` refits, otherwise
    ``[n_patients] [seed]`` simulates toxicity.yaml as it stands."""
    args = sys.argv[1:]
    if args and args[0] == "--fit":
        fit(*(int(a) for a in args[1:3]))
    else:
        main(*(int(a) for a in args[:2]))


if __name__ == "__main__":
    script_entry(fit_joint, main)
