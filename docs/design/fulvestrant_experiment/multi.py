import sys, json, numpy as np, pandas as pd
from dataclasses import replace
from mtorsim.trial import run_trial
from mtorsim.trial._spec import load_spec
pd.set_option("display.width",250); pd.set_option("display.max_columns",20)
# usage: multi.py trial N seed variant1;variant2 ...  variant: name=json overrides
t, n, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
variants = [v.split("=",1) for v in sys.argv[4:]]
spec = load_spec(t)
spec = replace(spec, endpoints=tuple(e for e in spec.endpoints if e not in ("os",)))
fu = dict(spec.follow_up); fu.pop("os_months", None); fu.pop("accrual_months", None)
spec = replace(spec, follow_up=fu)
for tag, ov in variants:
    popov = {tuple(k.split(".")): v for k, v in json.loads(ov).items()}
    res = run_trial(spec, seed=seed, patients=n, progress=False, population=popov or None)
    s = res.summary
    m = res.patients.merge(res.outcomes, on=["patient","arm"])
    out = {"variant": tag, "trial": spec.name, "seed": seed, "n": n, "secs": s["run"]["seconds"]}
    for arm, g in m.groupby("arm"):
        out[arm] = {"median": round(s["arms"][arm].get("median_pfs_months", float("nan")),2), "cbr": round(g.clinical_benefit.mean(),3), "orr": round(g.best_response.isin(["CR","PR"]).mean(),3), "n": len(g)}
    out["hr"] = {k: round(v.get("hazard_ratio", float("nan")),3) for k,v in s.get("comparisons",{}).items() if isinstance(v,dict)}
    print("RESULT", json.dumps(out, default=str), flush=True)
    m["cls"] = np.where(~m.AI_resistant, "endo-sens", np.where(m.ESR1_mutant, "ESR1mut", np.where(m.get("ER_independent", False), "ER-indep", "LTED")))
    g = m.groupby(["arm","cls"]).agg(n=("patient","size"), med_pfs=("pfs_months","median"), prog=("progressed","mean"), cbr=("clinical_benefit","mean"), rd15=("rel_div_day15","median"))
    print(g.round(3).to_string(), flush=True)
