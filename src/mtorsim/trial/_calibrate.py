"""The tumour parameters fitted to trials, each to a control arm only:

* metastatic tumours (``tumour``): the median untreated doubling time and the cell-loss factor, fitted to
  the control arm of BOLERO-2 (exemestane after a non-steroidal AI: median PFS 3.2 months, A03; CBR
  22.2 % and ORR 2.1 %, A06), with the patients' spread of the cell-loss factor
  (``cell_loss_factor_logit_sd``, assumed) held fixed (:func:`calibrate_growth`);
* the ERα dependence of AI-resistant, ESR1-wild-type tumours (``ai_resistant_er_expression``), fitted to the
  ESR1-wild-type subgroup of fulvestrant vs exemestane after a non-steroidal AI (SoFEA + EFECT, HR 1.05;
  :func:`calibrate_er_dependence`), before the growth fit: EFECT's overall result, its ESR1-mutant subgroup,
  CONFIRM and the sapanisertib trial's fulvestrant arm are then predictions;
* the host-tissue (anti-angiogenic) effect of mTORC1 inhibition (``mtor_host_growth_reduction``), fitted to the
  everolimus arm of BOLERO-2 (median PFS 7.8 months, A03) once the growth parameters are set
  (:func:`calibrate_host`); the median pre-existing resistant fraction (0.1 %) was fitted to the same arm
  before the host effect existed (:func:`calibrate_resistance`) and is kept: on an effective combination,
  progression is the outgrowth of cells the drugs do not hold back, which no cell-line data constrain;
* untreated primary tumours (``primary_tumour``, neoadjuvant designs): the cell-loss factor, fitted to the
  letrozole-alone arm of the neoadjuvant letrozole ± everolimus trial (clinical response 59.1 % at 4
  months, A14), with the doubling time from ultrasound measurements (Zhang et al. 2017) (:func:`calibrate_primary`).

* fulvestrant's tumour-site exposure factor (``tumour_factor`` in the drug catalogue's PK record), fitted to
  the week-4 Ki67 fall of both arms of NEWEST (fulvestrant 500 vs 250 mg, neoadjuvant; Kuter et al. 2012
  Breast Cancer Res Treat 133:237: −78.8 % vs −47.4 %) with Ki67 read as proportional to the division
  rate (:func:`fulvestrant_ki67_week4`): one factor for two doses, so the dose-response is a check.

* the between-patient spread of the metastatic doubling time, fitted to the BOLERO-2 investigator hazard
  ratio given both medians (:func:`calibrate_spread`): BOLERO-2's HR is therefore a fit, not a prediction.

* the median survival after progression (``survival``), fitted to the overall survival of the BOLERO-2
  exemestane arm (median 26.6 months at the final analysis; Piccart et al. 2014 Ann Oncol 25:2357)
  (:func:`calibrate_survival`), the same law applying in every arm: the everolimus arm's OS and the OS
  hazard ratio are predictions.

Everything else in the trial layer is mechanistic or assumed: BOLERO-2 is therefore a calibration trial
(both arms and its hazard ratio are fitted), as is EFECT's ESR1-wild-type subgroup; TAMRAD, CONFIRM, the rest
of EFECT, the sapanisertib trial, the neoadjuvant combination arm and the monotherapy trials are predictions.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import replace

import pandas as pd

from ._run import run_trial
from ._spec import load_spec

TARGETS = {"median_pfs_months": 3.2, "cbr": 0.222, "orr": 0.021}


def _arm_grid(trial: str, arm: int, points: list[dict], loss, *, patients: int, seed: int, population) -> pd.DataFrame:
    """Run one arm of a built-in trial at each grid point (population overrides ``{(section, key): value}``)
    and score it: one row per point (the varied parameters, the arm's median PFS, ORR, CBR, Ki67 response,
    ``loss(arm summary)``), best first."""
    spec = load_spec(trial)
    name = spec.arms[arm].name
    one = replace(spec, arms=(spec.arms[arm],), randomisation={name: 1}, patients=patients)
    rows = []
    for point in points:
        a = run_trial(one, seed=seed, progress=False, population={**dict(population or {}), **point}).summary["arms"][name]
        row = {key: v for (_, key), v in point.items()}
        row.update({m: a[m] for m in ("median_pfs_months", "orr", "cbr", "ki67_response", "median_os_months", "deaths") if m in a})
        row["loss"] = loss(a)
        rows.append(row)
    return pd.DataFrame(rows).sort_values("loss").reset_index(drop=True)


def calibrate_growth(*, cell_loss=(0.25, 0.3, 0.4), doubling_days=(110.0, 120.0, 130.0, 140.0), patients: int = 400,
                     seed: int = 11, population=None) -> pd.DataFrame:
    """Grid search on the BOLERO-2 control arm; returns one row per grid point with the loss
    ``(ln(median/3.2)/0.1)² + ((CBR − 0.222)/0.05)² + ((ORR − 0.021)/0.02)²``, best first."""
    def loss(a):
        return (math.log(a["median_pfs_months"] / TARGETS["median_pfs_months"]) / 0.1) ** 2 + \
            ((a["cbr"] - TARGETS["cbr"]) / 0.05) ** 2 + ((a["orr"] - TARGETS["orr"]) / 0.02) ** 2
    points = [{("tumour", "cell_loss_factor"): phi, ("tumour", "doubling_time_median_d"): td}
              for phi, td in itertools.product(cell_loss, doubling_days)]
    return _arm_grid("bolero2", 1, points, loss, patients=patients, seed=seed, population=population)


def calibrate_spread(*, log_sds=(1.2, 1.6, 1.8, 2.0), patients: int = 3000, seed: int = 1000, population=None) -> pd.DataFrame:
    """The between-patient spread of the metastatic doubling time (``doubling_time_log_sd``) against the
    BOLERO-2 investigator hazard ratio (A03: 0.45 with medians 7.8 / 3.2 months): whole trials of
    ``patients``, one row per value with both medians, the HR and the CBRs, best (HR closest to 0.45) first.
    The medians barely move with the spread (they sit on assessment visits), the HR does: the spread of PFS
    between patients sets how far a given shift of the medians lowers the hazard."""
    rows = []
    for sd in log_sds:
        s = run_trial("bolero2", seed=seed, patients=patients, progress=False,
                      population={**dict(population or {}), ("tumour", "doubling_time_log_sd"): sd}).summary
        (ee, e), comp = s["arms"].values(), next(iter(s["comparisons"].values()))
        rows.append({"doubling_time_log_sd": sd, "median_pfs_treated": ee["median_pfs_months"], "median_pfs_control": e["median_pfs_months"],
                     "hazard_ratio": comp["hazard_ratio"], "cbr_treated": ee["cbr"], "cbr_control": e["cbr"],
                     "loss": abs(math.log(comp["hazard_ratio"] / 0.45))})
    return pd.DataFrame(rows).sort_values("loss").reset_index(drop=True)


def calibrate_primary(*, cell_loss=(0.8, 0.82, 0.84, 0.86, 0.88), patients: int = 300, seed: int = 11,
                      population=None) -> pd.DataFrame:
    """Grid search of the primary tumours' cell-loss factor on the letrozole arm of the neoadjuvant
    trial (A14: 59.1 % clinical response at 4 months); one row per grid point, best first."""
    return _arm_grid("neoadjuvant-letrozole-everolimus", 1, [{("primary_tumour", "cell_loss_factor"): phi} for phi in cell_loss],
                     lambda a: abs(a["orr"] - 0.591), patients=patients, seed=seed, population=population)


#: NEWEST (Kuter et al. 2012 Breast Cancer Res Treat 133:237, abstract): Ki67 labelling index change from
#: baseline to week 4 (automated imaging), fulvestrant 250 mg monthly vs 500 mg with a day-14 loading dose
NEWEST_KI67_WEEK4 = {"250 mg im every 28 days": -0.474, "500 mg im on days 1,15,29 then every 28 days": -0.788}


def fulvestrant_ki67_week4(factors=(1.0, 0.5, 0.3, 0.2, 0.15, 0.1), *, patients: int = 200, seed: int = 1) -> pd.DataFrame:
    """Geometric-mean Ki67 change at day 28 of endocrine-naive ER+ tumours (the endocrine-sensitive patient
    class at postmenopausal oestradiol) on each NEWEST regimen, for tumour-exposure factors ``factors``
    (multiplying the catalogue's unbound-plasma-driven tumour concentration divided by its current factor),
    with PK variability; one row per factor with the sum of squared errors against NEWEST."""
    import numpy as np

    from ..clinic import get_pk
    from ._patients import value
    from ._run import drug_exposure
    from ._surface import PatientClass, response_surface
    s = response_surface(PatientClass(), ("fulvestrant",), e2_base_nM=value("tumour", "estradiol_baseline_nM"))
    current = float(get_pk("fulvestrant").tumour_factor.value)
    rng = np.random.default_rng(seed)
    ex = {r: np.array([drug_exposure("fulvestrant", r, 29, rng)["tumour_nM"] for _ in range(patients)]) / current
          for r in NEWEST_KI67_WEEK4}
    rows = []
    for f in factors:
        row = {"tumour_factor": f}
        sse = 0.0
        for r, target in NEWEST_KI67_WEEK4.items():
            c = ex[r] * f
            rel = s({"fulvestrant": c}, np.ones_like(c))["rel_div"][:, 27]
            change = float(np.exp(np.mean(np.log(np.maximum(rel, 1e-6)))) - 1.0)
            row[f"ki67_change {r.split(' mg')[0]} mg"] = change
            sse += (change - target) ** 2
        row["sse"] = sse
        rows.append(row)
    return pd.DataFrame(rows).sort_values("sse").reset_index(drop=True)


def calibrate_resistance(*, fractions=(0.001, 0.003, 0.005, 0.01, 0.03), patients: int = 400, seed: int = 11,
                         population=None) -> pd.DataFrame:
    """Grid search of the median pre-existing resistant fraction on the everolimus + exemestane arm of
    BOLERO-2 (median PFS 7.8 months, A03); one row per grid point, best first."""
    return _arm_grid("bolero2", 0, [{("tumour", "resistant_fraction_median"): f} for f in fractions],
                     lambda a: abs(math.log(a["median_pfs_months"] / 7.8)), patients=patients, seed=seed,
                     population=population)


def calibrate_host(*, reductions=(0.35, 0.45, 0.5, 0.55), patients: int = 400, seed: int = 11,
                   population=None) -> pd.DataFrame:
    """Grid search of the host-tissue effect of mTORC1 inhibition (``mtor_host_growth_reduction``) on the everolimus +
    exemestane arm of BOLERO-2 (median PFS 7.8 months, A03), the resistant fraction held; one row per grid
    point, best first. The arm's median sits on assessment visits, so whole trials of a few thousand patients
    decide between neighbouring grid points (``calibrate_spread`` reports both medians)."""
    return _arm_grid("bolero2", 0, [{("tumour", "mtor_host_growth_reduction"): e} for e in reductions],
                     lambda a: abs(math.log(a["median_pfs_months"] / 7.8)), patients=patients, seed=seed,
                     population=population)


#: PFS hazard ratio of fulvestrant 250 mg vs exemestane after a non-steroidal AI in ESR1-wild-type tumours
#: (baseline ctDNA), SoFEA and EFECT combined: Turner et al. 2020 Clin Cancer Res 26:5172 (abstract)
ESR1_WT_FULVESTRANT_HR = 1.05


def calibrate_er_dependence(*, levels=(0.05, 0.1, 0.2), patients: int = 693, seeds=(0, 1), population=None) -> pd.DataFrame:
    """The ERα level of AI-resistant, ESR1-wild-type tumours (``ai_resistant_er_expression``) against the
    ESR1-wild-type subgroup of fulvestrant vs exemestane after an NSAI (HR 1.05, 0.81–1.37): whole EFECT
    trials per seed, one row per level with the subgroup HRs (mean over ``seeds``), best first."""
    rows = []
    for level in levels:
        hr_wt, hr_mut, hr = [], [], []
        for seed in seeds:
            s = run_trial("efect", seed=seed, patients=patients, progress=False,
                          population={**dict(population or {}), ("tumour", "ai_resistant_er_expression"): level}).summary
            comp = next(iter(s["comparisons"].values()))
            hr.append(comp["hazard_ratio"])
            hr_wt.append(comp["subgroups"]["ESR1-wild-type"]["hazard_ratio"])
            hr_mut.append(comp["subgroups"]["ESR1-mutant"]["hazard_ratio"])
        rows.append({"ai_resistant_er_expression": level, "hr_esr1_wild_type": sum(hr_wt) / len(hr_wt),
                     "hr_esr1_mutant": sum(hr_mut) / len(hr_mut), "hazard_ratio": sum(hr) / len(hr),
                     "loss": abs(math.log(sum(hr_wt) / len(hr_wt) / ESR1_WT_FULVESTRANT_HR))})
    return pd.DataFrame(rows).sort_values("loss").reset_index(drop=True)


def calibrate_ki67(*, medians=(10.0, 11.0, 12.0, 13.0), patients: int | None = None, seed: int = 11,
                   population=None) -> pd.DataFrame:
    """Grid search of the median baseline Ki67 (%) on the letrozole-alone arm of the neoadjuvant trial
    (A15: Ki67 response, ln %Ki67 < 1 at day 15, in 30 %); one row per grid point, best first."""
    trial = "neoadjuvant-letrozole-everolimus"
    return _arm_grid(trial, 1, [{("tumour", "ki67_baseline_median_pct"): m} for m in medians],
                     lambda a: abs(a["ki67_response"] - 0.30), patients=patients or load_spec(trial).patients // 2,
                     seed=seed, population=population)


def calibrate_survival(*, medians=(19.0, 20.0, 21.0, 22.0), patients: int = 1000, seed: int = 11,
                       population=None) -> pd.DataFrame:
    """Grid search of the median post-progression survival (months) on the exemestane arm of BOLERO-2
    (median OS 26.6 months, Piccart et al. 2014); one row per grid point, best first."""
    return _arm_grid("bolero2", 1, [{("survival", "post_progression_median_months"): m} for m in medians],
                     lambda a: abs(math.log(a["median_os_months"] / 26.6)), patients=patients, seed=seed,
                     population=population)
