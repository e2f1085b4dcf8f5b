"""Exposure-driven adverse events and dose modifications (issue 6 §2, toxicity).

Calibration targets (shared/evidence/evidence.yaml unless stated): A07 (BOLERO-2 dose modifications),
A09 (stomatitis 67 % any grade, 9 % grade 3/4, 89 % of first episodes within 8 weeks), A26 (daily 10 mg vs
weekly 70 mg: pneumonitis 16 % vs 6 %, discontinuation 27 % vs 13 %), B08 (grade >= 3 RR per 2-fold Cmin),
B11 (higher troughs in patients needing dose interventions), DESIREE (Schmidt et al., PMC9832733 abstract:
grade >= 2 stomatitis within 12 weeks 46.1 % on 10 mg daily) and SOLAR-1 for alpelisib (Rugo et al. 2020
Ann Oncol abstract; SABCS 2019 PS1035). Populations are 300 patients; tolerances are about three binomial
standard errors around the published value (the model was fitted to these numbers with 1000-patient
populations, benchmarks/toxicity_calibration.py), wider where the target itself is uncertain.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mtorsim._errors import InputError, UnknownNameError
from mtorsim.clinic import dose_levels_mg, pk_population, simulate_toxicity, toxicity_drugs, toxicity_exposure, toxicity_table

N = 300
N_DAYS = 730
DAYS = np.arange(N_DAYS, dtype=float)
LEVELS = [10.0, 5.0, 2.5]  # everolimus label: each reduction ~50 % of the previous dose (Rugo 2014 Table 1 footnote a)


def _extend(e: np.ndarray, period: int) -> np.ndarray:
    """Repeat the last dosing period of a steady-state exposure array up to N_DAYS."""
    reps = int(np.ceil((N_DAYS - e.shape[1]) / period)) + 1
    return np.concatenate([e, np.tile(e[:, -period:], reps)], axis=1)[:, :N_DAYS]


@pytest.fixture(scope="module")
def exposures():
    """Whole-blood daily troughs of everolimus 10 mg daily and 70 mg weekly (pk_population, seed 3)."""
    daily, _ = toxicity_exposure(pk_population("everolimus", "10 mg daily", N, seed=3, days=10, step_h=2.0))  # steady by day 8 (B04)
    weekly, _ = toxicity_exposure(pk_population("everolimus", "70 mg weekly", N, seed=3, days=14, step_h=2.0))
    return _extend(daily, 1), _extend(weekly, 7)


@pytest.fixture(scope="module")
def on_treatment():
    """Treatment until progression: exponential with the BOLERO-2 investigator median PFS 7.8 months (A03)."""
    stop = np.random.default_rng(17).exponential(7.8 * 30.44 / np.log(2), size=N)
    return DAYS[None, :] < stop[:, None]


@pytest.fixture(scope="module")
def bolero(exposures, on_treatment):
    return simulate_toxicity("everolimus", exposures[0] * on_treatment, days=DAYS, rng=np.random.default_rng(1),
                             dose_levels_mg=dose_levels_mg("everolimus", 10))


def _share(ev: pd.DataFrame, mask) -> float:
    return ev[mask].patient.nunique() / N


def test_interface(bolero):
    ev = bolero.events
    assert list(ev.columns[:5]) == ["patient", "event", "grade", "onset_day", "action"]
    assert set(ev.action) <= {"none", "interrupt", "reduce", "discontinue"} and ev.grade.between(1, 4).all()
    assert ev.patient.between(0, N - 1).all() and pd.api.types.is_integer_dtype(ev.patient)
    assert bolero.dose_fraction.shape == (N, N_DAYS) and bolero.discontinued_day.shape == (N,)
    assert set(np.unique(bolero.dose_fraction)) <= {0.0, 0.25, 0.5, 1.0}
    assert set(ev.event) == {"stomatitis", "pneumonitis", "hyperglycaemia", "fatigue", "rash", "other_aes"}
    assert bolero.dose_levels_mg == (10.0, 5.0, 2.5)
    for p in np.nonzero(np.isfinite(bolero.discontinued_day))[0]:  # nothing taken after discontinuation
        assert not bolero.dose_fraction[p, DAYS > bolero.discontinued_day[p]].any()
    assert {"everolimus", "temsirolimus", "alpelisib", "capivasertib", "sapanisertib"} <= set(toxicity_drugs())


def test_interruptions_hold_until_recovery_and_reductions_halve_the_dose(bolero):
    ev = bolero.events
    held = ev[(ev.action == "interrupt") & ~np.isfinite(bolero.discontinued_day[ev.patient])]
    assert len(held) > 10
    for r in held.head(20).itertuples():
        later = (DAYS > r.onset_day) & (DAYS < r.resolution_day)
        assert (bolero.dose_fraction[r.patient, later] == 0).all()
    red = ev[ev.action == "reduce"]
    assert len(red) > 10 and set(red.dose_after_mg) == {5.0, 2.5}
    for r in red.head(20).itertuples():
        after = DAYS >= np.ceil(r.resolution_day) + 1
        ok = bolero.dose_fraction[r.patient, after]
        assert ok.max() <= r.dose_after_mg / 10  # never back to a higher dose (no re-escalation)


def test_bolero2_stomatitis_A09(bolero):
    ev = bolero.events
    st = ev[ev.event == "stomatitis"]
    assert abs(_share(ev, ev.event == "stomatitis") - 0.67) <= 0.08  # A09: 67 % any grade
    assert abs(_share(ev, (ev.event == "stomatitis") & (ev.grade >= 3)) - 0.09) <= 0.05  # A09: 9 % grade 3/4
    first = st.groupby("patient").onset_day.min()
    assert np.mean(first < 56) >= 0.8  # A09: 89 % of first episodes within 8 weeks
    g2 = _share(ev, (ev.event == "stomatitis") & (ev.grade >= 2) & (ev.onset_day < 84))
    assert abs(g2 - 0.461) <= 0.09  # DESIREE 10 mg arm: grade >= 2 within 12 weeks


# (any grade, grade 3-4) targets of the joint fit (benchmarks/toxicity_calibration.py TARGETS): all ASSUMED (A08: the
# BOLERO-2 per-arm rates are not verified); pneumonitis between A34 (BALLET 2-6 %) and A26 (16 %)
ASSUMED_TARGETS = {"pneumonitis": (0.12, 0.03), "hyperglycaemia": (0.14, 0.045), "fatigue": (0.33, 0.04), "rash": (0.36, 0.01)}


def test_bolero2_other_class_effects_are_mostly_low_grade_A08(bolero):
    r = bolero.rates(N)
    for event, (any_grade, g34) in ASSUMED_TARGETS.items():  # N = 300: three binomial standard errors (+ 0.01)
        assert abs(r.loc[event, "any_grade"] - any_grade) <= 3 * np.sqrt(any_grade * (1 - any_grade) / N), event
        assert abs(r.loc[event, "grade_3_4"] - g34) <= 3 * np.sqrt(g34 * (1 - g34) / N) + 0.01, event
    named = r.drop(index="other_aes")  # the lumped event simulates only dose-changing (grade >= 2) episodes
    assert (named["grade_3_4"] < 0.5 * named["any_grade"]).all()  # A08: mostly grade 1-2


def test_pneumonitis_is_late_and_stomatitis_early_A07(bolero):
    ev = bolero.events
    first = ev.groupby(["event", "patient"]).onset_day.min().groupby("event").median()
    assert first["pneumonitis"] > 2 * first["stomatitis"]  # A07: class effects early, except pneumonitis


def test_dose_modifications_A07(bolero):
    """A07 (BOLERO-2, Rugo 2014 Ann Oncol, PMC3969554): 360 dose reductions and 705 interruptions in the 482
    everolimus patients, all adverse events = 0.75 and 1.46 per patient. The lumped ``other_aes`` event's scale
    and grade 3-4 share were fitted to these two numbers jointly with the named events' scales and grade shares
    (their incidence targets holding at the same time) in a 1000-patient population with another PK seed
    (benchmarks/toxicity_calibration.py --fit 1000 2024); here 300 patients, a different exposure draw and
    generator. Tolerance: about three standard errors of a per-patient mean at N = 300 (SD of the per-patient
    counts 0.76 and 1.17 in the 1000-patient fitting population -> 0.13 and 0.20), widened to 0.15 and 0.25 for
    the fit's own Monte Carlo error."""
    ev = bolero.events
    reductions = (ev.action == "reduce").sum() / N
    interruptions = ev.action.isin(["interrupt", "reduce"]).sum() / N  # a reduction starts with a hold (trial summary)
    assert abs(reductions - 360 / 482) <= 0.15
    assert abs(interruptions - 705 / 482) <= 0.25


def test_joint_fit_all_targets_hold_together(exposures, on_treatment):
    """The joint fit (benchmarks/toxicity_calibration.py --fit 1000 2024): the five named events' scales and grade
    3-4 shares, stomatitis's shape and other_aes's scale and grade 3-4 share were fitted TOGETHER, because each
    event's holds, reductions and discontinuations lower the others' incidences. Every target at once, pooled over
    four generator seeds on the test population (1200 patient draws): A09 stomatitis 67 % any grade, 9 % grade 3/4,
    89 % of first episodes within 8 weeks; the assumed targets of the other named events; A07 0.75 reductions and
    1.46 interruptions per patient. Tolerance three standard errors at n = 1200 (binomial; per-patient count SD
    0.78 and 1.19 for A07), + 0.01 on the grade 3-4 rates. With the values before the joint fit (other_aes
    fitted alone; START in the script) this fails: pneumonitis 0.074 here (stomatitis 0.632 and hyperglycaemia
    0.113 just inside)."""
    runs = [simulate_toxicity("everolimus", exposures[0] * on_treatment, days=DAYS, rng=np.random.default_rng(seed),
                              dose_levels_mg=LEVELS) for seed in (1, 2, 3, 4)]
    n = N * len(runs)
    rates = sum(r.rates(N) for r in runs) / len(runs)
    targets = {"stomatitis": (0.67, 0.09), **ASSUMED_TARGETS}
    for event, (any_grade, g34) in targets.items():
        assert abs(rates.loc[event, "any_grade"] - any_grade) <= 3 * np.sqrt(any_grade * (1 - any_grade) / n), event
        assert abs(rates.loc[event, "grade_3_4"] - g34) <= 3 * np.sqrt(g34 * (1 - g34) / n) + 0.01, event
    first = [r.events[r.events.event == "stomatitis"].groupby("patient").onset_day.min() for r in runs]
    early = np.mean(np.concatenate([f.to_numpy() for f in first]) < 56)
    assert abs(early - 0.89) <= 3 * np.sqrt(0.89 * 0.11 / (0.67 * n))  # A09
    reductions = np.mean([(r.events.action == "reduce").sum() / N for r in runs])
    interruptions = np.mean([r.events.action.isin(["interrupt", "reduce"]).sum() / N for r in runs])
    assert abs(reductions - 360 / 482) <= 3 * 0.78 / np.sqrt(n)  # A07
    assert abs(interruptions - 705 / 482) <= 3 * 1.19 / np.sqrt(n)  # A07


def test_dose_modifications_held_out(bolero, on_treatment):
    """Not fitted: checked against published numbers with wide ranges (what the model gives is in docs/toxicity.md)."""
    ev = bolero.events
    anymod = _share(ev, ev.action != "none")
    assert 0.45 <= anymod <= 0.85  # 62 % needed an interruption and/or reduction (Afinitor HCP site, BOLERO-2)
    disc = np.mean(np.isfinite(bolero.discontinued_day))
    assert 0.06 <= disc <= 0.30  # A34 BALLET: 13.0 % (< 70 y) to 23.8 % (>= 70 y) discontinued for AEs
    stop = np.where(np.isfinite(bolero.discontinued_day), bolero.discontinued_day, np.inf)
    treated = on_treatment & (DAYS[None, :] < stop[:, None])  # first dose to progression or discontinuation
    intensity = (bolero.dose_fraction * 10 * treated).sum(axis=1) / np.maximum(treated.sum(axis=1), 1)
    assert 6.5 <= np.median(intensity) <= 9.5  # median dose intensity 8.6 mg/day (same site)


def test_second_reduction_before_discontinuation(bolero, exposures, on_treatment):
    """Label levels 10 -> 5 -> 2.5 mg (dose_levels_mg): a patient's first reduction goes to 5 mg, the second to
    2.5 mg, and only a reduction below 2.5 mg discontinues; with levels [10, 5] the same population (same
    generator) discontinues more often."""
    ev = bolero.events
    red = ev[ev.action == "reduce"]
    n_red = red.groupby("patient").size()
    assert (n_red == 2).sum() >= 5 and n_red.max() == 2  # second reductions happen; never a third
    for _, rows in red.groupby("patient"):
        # (two episodes can start on the same day; the table orders them by event name)
        assert list(rows.sort_values(["onset_day", "dose_after_mg"], ascending=[True, False]).dose_after_mg) == [5.0, 2.5][: len(rows)]
    at_lowest = [bool((bolero.dose_fraction[p] == 0.25).any()) for p in n_red[n_red == 2].index]
    assert np.mean(at_lowest) >= 0.8  # they then take 2.5 mg (unless another event stops them during the hold)
    short = simulate_toxicity("everolimus", exposures[0] * on_treatment, days=DAYS, rng=np.random.default_rng(1),
                              dose_levels_mg=[10, 5])
    assert np.isfinite(short.discontinued_day).sum() > np.isfinite(bolero.discontinued_day).sum()
    assert (short.events.action == "reduce").sum() < len(red)


def test_dose_levels_mg_label_levels():
    assert dose_levels_mg("everolimus", 10) == [10.0, 5.0, 2.5]  # label: ~50 % lower each time (Rugo 2014 Table 1)
    assert dose_levels_mg("everolimus", 70) == [70.0, 35.0, 17.5]  # other starting doses scale in proportion
    assert dose_levels_mg("alpelisib", 300) == [300.0, 250.0, 200.0]  # Piqray label
    assert dose_levels_mg("temsirolimus", 25) == [25.0, 20.0, 15.0]  # Torisel label: 5 mg/week steps, >= 15 mg
    assert dose_levels_mg("everolimus", np.float64(7.5)) == [7.5, 3.75, 1.875]  # numpy scalars accepted
    tab = toxicity_table()
    assert set(tab[tab.parameter == "dose_levels"].drug) == set(toxicity_drugs())


@pytest.mark.parametrize("dose", [0, -10, float("nan"), float("inf"), "10", None, True, [10]])
def test_dose_levels_mg_rejects_bad_dose(dose):
    with pytest.raises(InputError) as e:
        dose_levels_mg("everolimus", dose)
    assert e.value.field == "full_dose_mg"


def test_dose_levels_mg_unknown_drug():
    with pytest.raises(UnknownNameError):
        dose_levels_mg("paclitaxel", 10)


def test_higher_trough_more_toxicity_B08_B11(exposures, on_treatment, bolero):
    e = exposures[0] * on_treatment
    double = simulate_toxicity("everolimus", 2 * e, days=DAYS, rng=np.random.default_rng(1), dose_levels_mg=LEVELS)
    severe = ["stomatitis", "pneumonitis", "hyperglycaemia"]
    def n_g3(res):
        return res.events[(res.events.grade >= 3) & res.events.event.isin(severe)].groupby("event").patient.nunique().sum()

    rr = n_g3(double) / n_g3(bolero)
    assert 1.15 <= rr <= 2.6  # B08: per 2-fold Cmin, grade >= 3 RR 1.30 (metabolic) to 1.93 (pulmonary)
    trough = exposures[0][:, 20]
    acted = np.zeros(N, bool)
    acted[bolero.events[bolero.events.action != "none"].patient.unique()] = True
    gm = [float(np.exp(np.mean(np.log(trough[m])))) for m in (acted, ~acted)]
    assert gm[0] > gm[1]  # B11: GM trough 17.4 vs 12.3 ug/L with vs without dose interventions (direction only)


def test_weekly_dosing_less_pneumonitis_than_daily_A26(exposures, on_treatment):
    d, w = ({"pneu": 0, "mod": 0} for _ in range(2))
    for seed in (1, 2):
        rd = simulate_toxicity("everolimus", exposures[0] * on_treatment, days=DAYS, rng=np.random.default_rng(seed),
                               dose_levels_mg=LEVELS)
        rw = simulate_toxicity("everolimus", exposures[1] * on_treatment, days=DAYS, rng=np.random.default_rng(seed),
                               dose_levels_mg=dose_levels_mg("everolimus", 70))
        for acc, r in ((d, rd), (w, rw)):
            acc["pneu"] += r.events[r.events.event == "pneumonitis"].patient.nunique()
            acc["mod"] += (r.events.action != "none").sum()
    assert w["pneu"] < 0.75 * d["pneu"]  # A26: pneumonitis 6 % weekly vs 16 % daily (same weekly dose)
    assert w["mod"] < d["mod"]


def test_alpelisib_hyperglycaemia_SOLAR1():
    e, _ = toxicity_exposure(pk_population("alpelisib", "300 mg daily", N, seed=5, days=4, step_h=2.0))  # steady by day 3 (label)
    stop = np.random.default_rng(9).exponential(11.0 * 30.44 / np.log(2), size=N)
    e = _extend(e, 1) * (DAYS[None, :] < stop[:, None])
    res = simulate_toxicity("alpelisib", e, days=DAYS, rng=np.random.default_rng(0), dose_levels_mg=dose_levels_mg("alpelisib", 300))
    worst = res.events.groupby("patient").grade.max()
    assert abs(len(worst) / N - 0.66) <= 0.09  # 187/284 with hyperglycaemia (PS1035)
    assert abs((worst == 3).sum() / N - 0.327) <= 0.09 and (worst == 4).sum() / N <= 0.09  # grade 3 32.7 %, 4 3.9 %
    onset = res.events[res.events.grade >= 3].groupby("patient").onset_day.min()
    assert 5 <= float(np.median(onset)) <= 30  # median onset of grade >= 3: 15 days (Rugo 2020)
    assert set(np.round(np.unique(res.dose_fraction), 4)) <= {0.0, round(200 / 300, 4), round(250 / 300, 4), 1.0}


def test_capivasertib_adverse_events_CAPItello291():
    """Truqap label summary of CAPItello-291 (400 mg twice daily 4/3 + fulvestrant, n = 355): diarrhoea 72.4 % (grade
    3-4 9.3 %), rash 40.3 % (12.4 %), hyperglycaemia 16.9 % (2.3 %), median onset of hyperglycaemia 15 days. Fitted in
    benchmarks/capivasertib_toxicity.py (1,000 patients); checked here in 300 others (PK seed 5), treated until
    progression at the arm's median PFS (7.2 months, exponential). The schedule matters: on the 3 days off the daily
    minimum falls to a few % of the dosing days' (PK label), and so does the hazard."""
    e, _ = toxicity_exposure(pk_population("capivasertib", "400 mg twice daily 4 days on 3 days off", N, seed=5, days=21, step_h=2.0))
    assert np.median(e[:, 18:21].mean(axis=1)) < 0.3 * np.median(e[:, 16:18].mean(axis=1))   # week 3: days off vs dosing days
    e = _extend(e, 7)
    stop = np.random.default_rng(9).exponential(7.2 * 30.44 / np.log(2), size=N)
    e = e * (DAYS[None, :] < stop[:, None])
    res = simulate_toxicity("capivasertib", e, days=DAYS, rng=np.random.default_rng(0),
                            dose_levels_mg=dose_levels_mg("capivasertib", 400))
    rates = res.rates(N)
    for event, anyg, g34 in (("diarrhoea", 0.724, 0.093), ("rash", 0.403, 0.124), ("hyperglycaemia", 0.169, 0.023)):
        assert abs(rates.loc[event, "any_grade"] - anyg) <= 0.09, (event, rates.loc[event].to_dict())
        assert abs(rates.loc[event, "grade_3_4"] - g34) <= 0.06, (event, rates.loc[event].to_dict())
    onset = res.events[res.events.event == "hyperglycaemia"].groupby("patient").onset_day.min()
    assert 5 <= float(np.median(onset)) <= 30
    assert set(np.round(np.unique(res.dose_fraction), 4)) <= {0.0, round(200 / 400, 4), round(320 / 400, 4), 1.0}
    # patients with any dose change (hold, reduction or stop): 0.32 measured; CAPItello-291 reduced the dose in 17.7 %
    # (interruptions not reported), so at least about that many, and far from everyone
    assert 0.15 < float((res.dose_fraction < 1).any(axis=1).mean()) < 0.6


def test_sapanisertib_discontinuation_follows_the_weekly_dose():
    """Sapanisertib + fulvestrant (Clin Cancer Res 2022;28:1107): 32 % (4 mg daily) and 36 % (30 mg weekly) stopped
    sapanisertib for adverse events. One lumped event on the plasma daily MEAN (so its weekly sum follows the weekly
    dose, 28 vs 30 mg, whatever the schedule), fitted in benchmarks/sapanisertib_toxicity.py; here 300 other patients
    per schedule. The weekly schedule's daily troughs are far lower than the daily one's, yet it stops as often."""
    out, trough_ratio = {}, []
    for regimen, dose, median_pfs in (("4 mg daily", 4, 7.2), ("30 mg weekly", 30, 5.6)):
        pop = pk_population("sapanisertib", regimen, N, seed=7, days=21, step_h=2.0)
        e, _ = toxicity_exposure(pop)
        trough_ratio.append(float(np.median(pop["plasma"].values[:, -1])))
        e = _extend(e, 7)
        stop = np.random.default_rng(11).exponential(median_pfs * 30.44 / np.log(2), size=N)
        res = simulate_toxicity("sapanisertib", e * (DAYS[None, :] < stop[:, None]), days=DAYS, rng=np.random.default_rng(1),
                                dose_levels_mg=dose_levels_mg("sapanisertib", dose))
        out[regimen] = float(np.mean(np.isfinite(res.discontinued_day)))
        assert set(res.events.action) <= {"discontinue"} and res.events.patient.is_unique
    # end of the week vs a daily trough: ~2e-4 measured (t1/2 9.5 h: six days of decay after the weekly peak)
    assert trough_ratio[1] < 0.01 * trough_ratio[0]
    assert abs(out["4 mg daily"] - 0.32) <= 0.09 and abs(out["30 mg weekly"] - 0.36) <= 0.09, out


def test_temsirolimus_mucositis_and_rash_A27():
    parts = []
    for dose, seed in ((75, 1), (250, 2)):  # A27 randomised 75 or 250 mg weekly
        # t1/2 17 h: the first week is already the steady-state week
        e, _ = toxicity_exposure(pk_population("temsirolimus", f"{dose} mg iv weekly over 30 min", N // 2, seed=seed, days=7, step_h=2.0))
        parts.append(_extend(e, 7))
    stop = np.random.default_rng(9).exponential(84 / np.log(2), size=N)  # A27 median TTP 12 weeks
    e = np.concatenate(parts) * (DAYS[None, :] < stop[:, None])
    r = simulate_toxicity("temsirolimus", e, days=DAYS, rng=np.random.default_rng(0),
                          dose_levels_mg=dose_levels_mg("temsirolimus", 75))
    rates = r.rates(N)
    assert abs(rates.loc["stomatitis", "any_grade"] - 0.70) <= 0.09  # A27: mucositis 70 %
    assert abs(rates.loc["rash", "any_grade"] - 0.51) <= 0.09  # A27: rash 51 %
    ev = r.events[r.events.event == "stomatitis"]
    assert ev[ev.patient >= N // 2].patient.nunique() > ev[ev.patient < N // 2].patient.nunique()  # more at 250 mg


def test_deterministic_and_seed_dependent(exposures):
    e = exposures[0][:50, :200]
    kw = dict(days=DAYS[:200], dose_levels_mg=[10, 5])
    a = simulate_toxicity("everolimus", e, rng=np.random.default_rng(42), **kw)
    b = simulate_toxicity("everolimus", e, rng=np.random.default_rng(42), **kw)
    c = simulate_toxicity("everolimus", e, rng=np.random.default_rng(43), **kw)
    pd.testing.assert_frame_equal(a.events, b.events)
    np.testing.assert_array_equal(a.dose_fraction, b.dose_fraction)
    np.testing.assert_array_equal(a.discontinued_day, b.discontinued_day)
    assert not a.events.equals(c.events)


def test_per_patient_generators_make_a_patient_independent_of_its_batch(exposures):
    """simulate_toxicity_patients (the trial's batched path): a patient's events and dose fractions depend on
    its own generator only, not on the other patients simulated with it; and the batch is statistically the
    same model as simulate_toxicity (stomatitis incidence within Monte-Carlo error)."""
    from mtorsim.clinic._toxicity import simulate_toxicity_patients
    e = exposures[0][:, :365]
    kw = dict(days=DAYS[:365], dose_levels_mg=[10, 5, 2.5])
    batch = simulate_toxicity_patients("everolimus", e, rngs=[np.random.default_rng([9, i]) for i in range(N)], **kw)
    for i in (0, 7, 123):
        alone = simulate_toxicity_patients("everolimus", e[i:i + 1], rngs=[np.random.default_rng([9, i])], **kw)
        np.testing.assert_array_equal(alone.dose_fraction[0], batch.dose_fraction[i])
        mine = batch.events[batch.events.patient == i].drop(columns="patient").reset_index(drop=True)
        pd.testing.assert_frame_equal(alone.events.drop(columns="patient"), mine)
    shared = simulate_toxicity("everolimus", e, rng=np.random.default_rng(9), **kw)
    rate = {r: (x.events.event == "stomatitis").groupby(x.events.patient).any().sum() / N for r, x in (("b", batch), ("s", shared))}
    # two independent samples of N patients: the SD of the difference of two shares is at most sqrt(2 x 0.25 / N)
    assert abs(rate["b"] - rate["s"]) < 3 * np.sqrt(2 * 0.25 / N)
    with pytest.raises(InputError, match="rngs"):
        simulate_toxicity_patients("everolimus", e[:2], rngs=[np.random.default_rng(0)], **kw)


def test_no_exposure_no_events_and_more_levels_allowed(exposures):
    zero = simulate_toxicity("everolimus", np.zeros((20, 100)), days=DAYS[:100], rng=np.random.default_rng(0), dose_levels_mg=[10, 5])
    assert zero.events.empty and (zero.dose_fraction == 1).all() and np.isnan(zero.discontinued_day).all()
    three = simulate_toxicity("everolimus", exposures[0][:, :300], days=DAYS[:300], rng=np.random.default_rng(0),
                              dose_levels_mg=[10, 5, 2.5])
    assert set(np.unique(three.dose_fraction)) <= {0.0, 0.25, 0.5, 1.0}


@pytest.mark.parametrize("kwargs, field", [
    (dict(exposure=np.ones(10)), "exposure"),
    (dict(exposure=-np.ones((2, 10))), "exposure"),
    (dict(exposure=np.full((2, 10), np.nan)), "exposure"),
    (dict(days=np.arange(9.0)), "days"),
    (dict(days=np.arange(10.0)[::-1]), "days"),
    (dict(dose_levels_mg=[5, 10]), "dose_levels_mg"),
    (dict(dose_levels_mg=[]), "dose_levels_mg"),
    (dict(dose_levels_mg=[10, -5]), "dose_levels_mg"),
    (dict(rng=42), "rng"),
])
def test_bad_input_names_the_field(kwargs, field):
    args = dict(exposure=np.ones((2, 10)), days=np.arange(10.0), rng=np.random.default_rng(0), dose_levels_mg=[10, 5])
    args.update(kwargs)
    with pytest.raises(InputError) as e:
        simulate_toxicity("everolimus", args.pop("exposure"), **args)
    assert e.value.field == field


def test_unknown_drug():
    with pytest.raises(UnknownNameError):
        simulate_toxicity("paclitaxel", np.ones((2, 3)), days=np.arange(3.0), rng=np.random.default_rng(0), dose_levels_mg=[1])


def test_every_parameter_has_unit_and_source():
    tab = toxicity_table()
    assert len(tab) > 40 and tab.source.str.len().min() > 3 and tab.unit.notna().all()
    ok = ("assumed", "fitted", "derived", "label", "B0", "B1", "A0", "A2", "A3", "SOLAR-1", "PMID")
    assert all(any(k in s for k in ok) for s in tab.source), tab[[not any(k in s for k in ok) for s in tab.source]]
