"""Trial statistics with lifelines (MIT): Kaplan–Meier medians with 95 % CIs, Cox hazard ratios with
95 % CIs, log-rank p, response and clinical-benefit rates, adverse events by grade.

The control arm is the last arm of the spec; every other arm is compared with it.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd


def km_median(time: np.ndarray, event: np.ndarray) -> tuple[float, float, float]:
    """Kaplan–Meier median and its 95 % CI (lifelines: Greenwood / exponential-log-log bands)."""
    from lifelines import KaplanMeierFitter
    from lifelines.utils import median_survival_times
    kmf = KaplanMeierFitter().fit(time, event)
    ci = median_survival_times(kmf.confidence_interval_)
    return float(kmf.median_survival_time_), float(ci.iloc[0, 0]), float(ci.iloc[0, 1])


def cox_hr(time: np.ndarray, event: np.ndarray, treated: np.ndarray) -> tuple[float, float, float, float]:
    """Hazard ratio (treated vs control) with 95 % CI and the Wald p from a Cox model (Efron ties)."""
    from lifelines import CoxPHFitter
    df = pd.DataFrame({"T": time, "E": event.astype(int), "treated": treated.astype(float)})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cph = CoxPHFitter().fit(df, "T", "E")
    s = cph.summary.loc["treated"]
    return float(s["exp(coef)"]), float(s["exp(coef) lower 95%"]), float(s["exp(coef) upper 95%"]), float(s["p"])


def logrank_p(t1, e1, t0, e0) -> float:
    from lifelines.statistics import logrank_test
    return float(logrank_test(t1, t0, event_observed_A=e1, event_observed_B=e0).p_value)


def _rates(ae: pd.DataFrame, n: int) -> dict:
    out = {}
    if n == 0 or ae is None or not len(ae):
        return out
    for ev, g in ae.groupby("event"):
        worst = g.groupby("patient")["grade"].max()
        out[str(ev)] = {"any_grade": round(len(worst) / n, 4), "grade_3_4": round(int((worst >= 3).sum()) / n, 4)}
    return out


#: biomarker subgroups of the PFS hazard ratio: label -> (column of the patients table, value)
SUBGROUPS = {"PIK3CA-mutant": ("PIK3CA_mutant", True), "PIK3CA-wild-type": ("PIK3CA_mutant", False),
             "PTEN-loss": ("PTEN_loss", True), "PTEN-intact": ("PTEN_loss", False),
             "ESR1-mutant": ("ESR1_mutant", True), "ESR1-wild-type": ("ESR1_mutant", False),
             "AKT1-mutant": ("AKT1_mutant", True),
             "AKT-pathway-altered": ("AKT_pathway_altered", True), "AKT-pathway-non-altered": ("AKT_pathway_altered", False)}
#: a subgroup's HR is reported when each arm has at least this many progressions in it
SUBGROUP_MIN_EVENTS = 5


def subgroup_hazard_ratios(both: pd.DataFrame, treated: np.ndarray) -> dict:
    """PFS hazard ratio (Cox, treated vs control) within each biomarker subgroup (``SUBGROUPS``) of ``both``
    (outcomes merged with patient characteristics); subgroups with fewer than ``SUBGROUP_MIN_EVENTS``
    progressions in an arm are left out."""
    out = {}
    for label, (col, val) in SUBGROUPS.items():
        if col not in both:
            continue
        m = (both[col] == val).to_numpy()
        ev = both.progressed.to_numpy()
        if min(int(ev[m & treated].sum()), int(ev[m & ~treated].sum())) < SUBGROUP_MIN_EVENTS:
            continue
        hr, lo, hi, p = cox_hr(both.pfs_months.to_numpy()[m], ev[m], treated[m])
        out[label] = {"n": int(m.sum()), "hazard_ratio": hr, "hr_95ci": [lo, hi], "cox_wald_p": p}
    return out


def logistic_or(x: np.ndarray, y: np.ndarray) -> tuple[float, float, float]:
    """Odds ratio per unit of ``x`` for the binary ``y`` (logistic regression by maximum likelihood) with its Wald
    95 % CI; (nan, nan, nan) when ``y`` does not vary or the fit does not converge."""
    from scipy.optimize import minimize
    from scipy.special import expit
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    if len(x) < 3 or y.min() == y.max() or np.ptp(x) == 0:
        return math.nan, math.nan, math.nan
    X = np.column_stack([np.ones_like(x), x - x.mean()])

    def nll(b):
        z = X @ b
        return float(np.sum(np.logaddexp(0.0, z) - y * z))

    def grad(b):
        return X.T @ (expit(X @ b) - y)

    r = minimize(nll, np.zeros(2), jac=grad, method="BFGS")
    if not r.success:
        return math.nan, math.nan, math.nan
    p = expit(X @ r.x)
    se = math.sqrt(float(np.linalg.inv(X.T @ (X * (p * (1.0 - p))[:, None]))[1, 1]))
    return math.exp(r.x[1]), math.exp(r.x[1] - 1.96 * se), math.exp(r.x[1] + 1.96 * se)


def exposure_drugs(outcomes: pd.DataFrame) -> list[str]:
    """The drugs with a per-patient exposure column (``exposure_<drug>_nM``) in ``outcomes``."""
    return [c[len("exposure_"):-len("_nM")] for c in outcomes.columns if c.startswith("exposure_") and c.endswith("_nM")]


#: fewest patients with a recorded exposure for an arm's exposure-response analysis
EXPOSURE_RESPONSE_MIN_N = 20


def exposure_response(outcomes: pd.DataFrame, drug: str, arm: str | None = None) -> dict | None:
    """Exposure-response within one arm, as clinical pharmacology analyses report it: per 2-fold higher exposure
    to ``drug`` (``exposure_<drug>_nM``, the full-dose mean tumour-site concentration over days 8-28), the Cox
    hazard ratio of progression and the odds ratios of tumour shrinkage (any decrease of the sum of diameters
    from baseline) and of objective response, each with its 95 % CI, and a table by exposure quartile.
    None when the arm has fewer than ``EXPOSURE_RESPONSE_MIN_N`` patients with the drug or no spread of
    exposure. E.g. everolimus 10 mg daily across five trials (Ravaud et al. 2014 Eur J Cancer 50:486, evidence
    B08): per 2-fold Cmin, PFS-event RR 0.90 (0.69-1.18), tumour-size reduction OR 1.40 (1.23-1.60)."""
    col = f"exposure_{drug}_nM"
    g = outcomes if arm is None else outcomes[outcomes.arm == arm]
    if col not in g:
        return None
    g = g[np.isfinite(g[col]) & (g[col] > 0)]
    if len(g) < EXPOSURE_RESPONSE_MIN_N or g[col].nunique() < 4:
        return None
    x = np.log2(g[col].to_numpy())
    hr, lo, hi, p = cox_hr(g.pfs_months.to_numpy(), g.progressed.to_numpy(), x)
    shrink = (g.sld_nadir_change < 0).to_numpy()
    resp = g.best_response.isin(["CR", "PR"]).to_numpy()
    quart = pd.qcut(g[col], 4, labels=False, duplicates="drop")
    rows = []
    for q, gq in g.groupby(quart):
        med = km_median(gq.pfs_months.to_numpy(), gq.progressed.to_numpy())[0]
        rows.append({"quartile": int(q) + 1, "n": len(gq), "exposure_nM": [float(gq[col].min()), float(gq[col].max())],
                     "median_pfs_months": med, "tumour_shrinkage": round(float((gq.sld_nadir_change < 0).mean()), 4),
                     "orr": round(float(gq.best_response.isin(["CR", "PR"]).mean()), 4)})
    out = {"n": len(g), "exposure_median_nM": float(g[col].median()),
           "pfs_hr_per_doubling": {"value": hr, "ci": [lo, hi], "cox_wald_p": p}}
    for key, y in (("tumour_shrinkage_or_per_doubling", shrink), ("orr_or_per_doubling", resp)):
        v, l, h = logistic_or(x, y)
        out[key] = {"value": v, "ci": [l, h]}
    out["quartiles"] = rows
    return out


def summarise(spec, outcomes: pd.DataFrame, ae: pd.DataFrame, patients: pd.DataFrame | None = None) -> dict:
    """The trial's summary (``summary.json``): per arm (with the exposure-response of each drug with between-patient
    exposure, :func:`exposure_response`), between arms (PFS and OS hazard ratios, log-rank p; with ``patients``, the
    PFS hazard ratio within each biomarker subgroup, ``subgroups``)."""
    arms = [a.name for a in spec.arms]
    control = arms[-1]
    per_arm = {}
    for a in arms:
        g = outcomes[outcomes.arm == a]
        n = len(g)
        rec = {"n": n}
        if n:
            med, lo, hi = km_median(g.pfs_months.to_numpy(), g.progressed.to_numpy())
            rec.update({"median_pfs_months": med, "median_pfs_95ci": [lo, hi],
                        "orr": round(float(g.best_response.isin(["CR", "PR"]).mean()), 4),
                        "cbr": round(float(g.clinical_benefit.mean()), 4),
                        "progressed": int(g.progressed.sum()),
                        "mean_dose_fraction": round(float(g.mean_dose_fraction.mean()), 4),
                        "ki67_day15_relative_median": round(float(g.rel_div_day15.median()), 4),
                        "ki67_response": round(float(g.ki67_response.mean()), 4)})
            if "os_months" in g:
                med, lo, hi = km_median(g.os_months.to_numpy(), g.died.to_numpy())
                rec.update({"median_os_months": med, "median_os_95ci": [lo, hi], "deaths": int(g.died.sum())})
            er = {d: exposure_response(g, d) for d in exposure_drugs(g)}
            if any(er.values()):
                rec["exposure_response"] = {d: v for d, v in er.items() if v}
            rec["adverse_events"] = _rates(ae[ae.arm == a] if len(ae) else ae, n)
            if len(ae):
                aa = ae[ae.arm == a]
                rec["dose_reductions_per_patient"] = round(float((aa.action == "reduce").sum()) / n, 4)
                rec["interruptions_per_patient"] = round(float(aa.action.isin(["interrupt", "reduce"]).sum()) / n, 4)
                rec["discontinued_for_ae"] = round(float(aa[aa.action == "discontinue"].patient.nunique()) / n, 4)
        per_arm[a] = rec
    comparisons = {}
    c = outcomes[outcomes.arm == control]
    for a in arms[:-1]:
        g = outcomes[outcomes.arm == a]
        if len(g) and len(c):
            both = pd.concat([g, c])
            hr, lo, hi, p = cox_hr(both.pfs_months.to_numpy(), both.progressed.to_numpy(), (both.arm == a).to_numpy())
            comparisons[f"{a} vs {control}"] = {"endpoint": "PFS", "hazard_ratio": hr, "hr_95ci": [lo, hi], "cox_wald_p": p,
                                                "logrank_p": logrank_p(g.pfs_months, g.progressed, c.pfs_months, c.progressed)}
            if patients is not None and len(patients):
                merged = both.merge(patients, on=["patient", "arm"], how="left")
                comparisons[f"{a} vs {control}"]["subgroups"] = subgroup_hazard_ratios(merged, (merged.arm == a).to_numpy())
            if "os_months" in both:
                hr, lo, hi, p = cox_hr(both.os_months.to_numpy(), both.died.to_numpy(), (both.arm == a).to_numpy())
                comparisons[f"{a} vs {control}"]["os"] = {"endpoint": "OS", "hazard_ratio": hr, "hr_95ci": [lo, hi], "cox_wald_p": p,
                                                          "logrank_p": logrank_p(g.os_months, g.died, c.os_months, c.died)}
    return {"trial": spec.name, "title": spec.title, "evidence": list(spec.evidence), "control_arm": control,
            "arms": per_arm, "comparisons": comparisons,
            "units": {"median_pfs_months": "months (30.44 d)", "median_os_months": "months (30.44 d)", "orr": "fraction", "cbr": "fraction (CR, PR or SD >= 24 weeks)",
                      "adverse_events": "fraction of patients (worst grade)",
                      "exposure_response": "per 2-fold exposure (full-dose mean tumour-site concentration, days 8-28, nM): PFS hazard ratio (Cox), "
                                           "odds ratios of tumour shrinkage (any SLD decrease) and of objective response (logistic)",
                      "ki67_response": "fraction with ln(%Ki67) < 1 at day 15 (A15 definition)"}}


def plot_km(outcomes: pd.DataFrame, ax=None, title: str = "", endpoint: str = "pfs"):
    """Kaplan–Meier curves of PFS (``endpoint="os"``: overall survival) per arm with the at-risk table
    (lifelines ``add_at_risk_counts``)."""
    import matplotlib.pyplot as plt
    from lifelines import KaplanMeierFitter
    from lifelines.plotting import add_at_risk_counts
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 4.5))
    fitters = []
    for a, g in outcomes.groupby("arm", sort=False):
        t, e = (g.os_months, g.died) if endpoint == "os" else (g.pfs_months, g.progressed)
        kmf = KaplanMeierFitter(label=str(a)).fit(t, e)
        kmf.plot_survival_function(ax=ax, ci_show=True)
        fitters.append(kmf)
    ax.set_xlabel("months")
    ax.set_ylabel("alive" if endpoint == "os" else "progression-free")
    ax.set_ylim(0, 1.02)
    ax.set_title(title)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        add_at_risk_counts(*fitters, ax=ax)
    return ax
