import sys, json, numpy as np, pandas as pd
from dataclasses import replace
from mtorsim.trial import run_trial
from mtorsim.trial._spec import load_spec
tag = sys.argv[1]; which = sys.argv[2].split(","); seeds = [int(s) for s in sys.argv[3].split(",")]
popov = json.loads(sys.argv[4]) if len(sys.argv) > 4 else {}
popov = {tuple(k.split(".")): v for k, v in popov.items()}
N = {"confirm":400,"sapanisertib-fulvestrant":300,"bolero2":600,"tamrad":300,"docs/design/fulvestrant_experiment/specs/sap-control.yaml":300}
pd.set_option("display.width",250); pd.set_option("display.max_columns",20)
for t in which:
    spec = load_spec(t)
    spec = replace(spec, endpoints=tuple(e for e in spec.endpoints if e not in ("os","adverse_events")) if t!="bolero2" else tuple(e for e in spec.endpoints if e!="os"))
    fu = dict(spec.follow_up); fu.pop("os_months", None); fu.pop("accrual_months", None)
    spec = replace(spec, follow_up=fu)
    for seed in seeds:
        res = run_trial(spec, seed=seed, patients=N[t], progress=False, population=popov or None)
        s = res.summary
        m = res.patients.merge(res.outcomes, on=["patient","arm"])
        out = {"trial":t,"seed":seed,"n":N[t]}
        for arm, g in m.groupby("arm"):
            out[arm] = {"median": round(s["arms"][arm].get("median_pfs_months", float("nan")),2), "cbr": round(g.clinical_benefit.mean(),3), "orr": round(g.best_response.isin(["CR","PR"]).mean(),3)}
        out["hr"] = {k: round(v.get("hazard_ratio", float("nan")),3) for k,v in s.get("comparisons",{}).items() if isinstance(v,dict)}
        print(tag, json.dumps(out, default=str), flush=True)
        if t in ("confirm","sapanisertib-fulvestrant","docs/design/fulvestrant_experiment/specs/sap-control.yaml"):
            m["cls"] = np.where(~m.AI_resistant, "endo-sens", np.where(m.ESR1_mutant, "ESR1mut", "LTED"))
            if "ER_independent" in m: m.loc[m.ER_independent, "cls"] = "ER-indep"
            g = m.groupby(["arm","cls"]).agg(n=("patient","size"), med_pfs=("pfs_months","median"), prog=("progressed","mean"), cbr=("clinical_benefit","mean"), rd15=("rel_div_day15","median"))
            print(g.round(3).to_string(), flush=True)
