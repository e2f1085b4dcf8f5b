"""Calibration and timing of the everolimus adverse-event model (mtorsim.clinic.simulate_toxicity).

Run: PYTHONPATH=src python benchmarks/toxicity_calibration.py [n_patients] [seed]

A BOLERO-2-like population: everolimus 10 mg daily (pk_population exposures, whole-blood daily trough),
treatment until progression (exponential, median 7.8 months = A03 investigator median PFS) or
discontinuation for toxicity; rates are shares of patients with >= 1 episode while on treatment.
Targets are printed beside the simulated numbers (evidence ids; 'assumed' targets are marked).
The daily-vs-weekly comparison uses A26 (Ellard 2009): 10 mg daily vs 70 mg weekly.
"""

from __future__ import annotations

import sys
import time

import numpy as np

from mtorsim.clinic import pk_population, simulate_toxicity, toxicity_exposure

TARGETS = {  # event: (any grade, grade 3-4, source)
    "stomatitis": (0.67, 0.09, "A09"),
    "pneumonitis": (0.12, 0.03, "assumed between A34 (2-6 %) and A26 (16 %)"),
    "hyperglycaemia": (0.14, 0.045, "assumed (A08 not verified)"),
    "fatigue": (0.33, 0.04, "assumed (A08 not verified)"),
    "rash": (0.36, 0.01, "assumed (A08 not verified)"),
}


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


def main(n: int = 700, seed: int = 2024) -> None:
    n_days = 730
    t0 = time.perf_counter()
    e = population_exposure("10 mg daily", n, seed, n_days)
    t_pk = time.perf_counter() - t0
    on = on_treatment(n, n_days, seed)
    t0 = time.perf_counter()
    res = simulate_toxicity("everolimus", e * on, days=np.arange(n_days, dtype=float), rng=np.random.default_rng(seed),
                            dose_levels_mg=[10, 5])
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
    n_red = int((ev.action == "reduce").sum())
    n_int = int(ev.action.isin(["interrupt", "reduce"]).sum())
    print(f"per patient: reductions {n_red / n:.2f} (A07: 360/482 = 0.75), interruptions {n_int / n:.2f} (A07: 705/482 = 1.46; "
          "a reduction here includes its interruption)")
    anymod = ev[ev.action != "none"].patient.nunique() / n
    print(f"patients with any dose modification {anymod:.3f} (Afinitor HCP site: 62 % needed an interruption and/or reduction)")
    print(f"discontinued for AEs {np.mean(np.isfinite(res.discontinued_day)):.3f} (A34 BALLET 13-24 %; DESIREE 15.8 % in 3 weeks)")
    di = (res.dose_fraction * 10)[on].sum() / on.sum()
    print(f"mean dose intensity on treatment {di:.2f} mg/day (Afinitor HCP site: median 8.6 mg/day)")
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
                             dose_levels_mg=[10, 5])
    r2 = res2.rates(n)
    for evn, rr in (("stomatitis", "1.49 (1.05-2.10)"), ("pneumonitis", "1.93 (1.12-3.34)"), ("hyperglycaemia", "1.30 (1.02-1.65)")):
        print(f"G>=3 {evn} RR for 2x exposure: {r2.loc[evn, 'grade_3_4'] / max(rates.loc[evn, 'grade_3_4'], 1e-9):.2f} (B08 {rr})")
    # A26: daily 10 mg vs weekly 70 mg (monotherapy, until progression)
    ew = population_exposure("70 mg weekly", n, seed, n_days)
    rw = simulate_toxicity("everolimus", ew * on, days=np.arange(n_days, dtype=float), rng=np.random.default_rng(seed),
                           dose_levels_mg=[70, 35])
    p_d = res.rates(n).loc["pneumonitis", "any_grade"]
    p_w = rw.rates(n).loc["pneumonitis", "any_grade"] if "pneumonitis" in rw.rates(n).index else 0.0
    print(f"A26 pneumonitis daily {p_d:.3f} vs weekly {p_w:.3f} (A26: 0.16 vs 0.06); discontinuation "
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
    rt = simulate_toxicity("temsirolimus", et, days=np.arange(n_days, dtype=float), rng=np.random.default_rng(seed),
                           dose_levels_mg=[75, 50, 25]).rates(2 * half)
    print(f"temsirolimus stomatitis {rt.loc['stomatitis', 'any_grade']:.3f} (A27 mucositis 0.70), rash {rt.loc['rash', 'any_grade']:.3f} (A27 0.51)")
    # alpelisib (SOLAR-1: 66 % hyperglycaemia, worst grade 3 32.7 %, grade 4 3.9 %, median onset of grade >= 3 15 d)
    pop = pk_population("alpelisib", "300 mg daily", n, seed=seed, days=4, step_h=1.0)
    ea, _ = toxicity_exposure(pop)
    ea = np.concatenate([ea, np.repeat(ea[:, -1:], n_days - ea.shape[1], axis=1)], axis=1)
    stop = np.random.default_rng(seed + 3).exponential(11.0 * 30.44 / np.log(2), size=n)  # assumed median 11 months
    ra = simulate_toxicity("alpelisib", ea * (np.arange(n_days)[None, :] < stop[:, None]), days=np.arange(n_days, dtype=float),
                           rng=np.random.default_rng(seed), dose_levels_mg=[300, 250, 200])
    worst = ra.events.groupby("patient").grade.max()
    g3 = ra.events[ra.events.grade >= 3].groupby("patient").onset_day.min()
    print(f"alpelisib hyperglycaemia {len(worst) / n:.3f} (0.66), worst grade 3 {(worst == 3).sum() / n:.3f} (0.327), "
          f"grade 4 {(worst == 4).sum() / n:.3f} (0.039), median onset grade>=3 {np.median(g3):.0f} d (15)")


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:3]))
