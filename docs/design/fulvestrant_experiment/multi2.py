import sys, json, math, numpy as np, pandas as pd
from dataclasses import replace
import mtorsim.clinic._pk as pkm
from mtorsim.trial import run_trial
from mtorsim.trial._spec import load_spec
orig = pkm.PKModel.individual
def noB(self, rng, individual_id=""):
    m = orig(replace(self, tumour_factor=replace(self.tumour_factor, cv=None)), rng, individual_id)
    return m
t, n, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
spec = load_spec(t)
spec = replace(spec, endpoints=tuple(e for e in spec.endpoints if e not in ("os",)))
fu = dict(spec.follow_up); fu.pop("os_months", None); fu.pop("accrual_months", None)
spec = replace(spec, follow_up=fu)
for v in sys.argv[4:]:
    tag, ov = v.split("=",1)
    pkm.PKModel.individual = orig if "B" in tag else noB
    popov = {tuple(k.split(".")): x for k, x in json.loads(ov).items()}
    res = run_trial(spec, seed=seed, patients=n, progress=False, population=popov or None)
    s = res.summary; m = res.patients.merge(res.outcomes, on=["patient","arm"])
    out = {"variant": tag, "trial": spec.name, "seed": seed, "n": n}
    for arm, g in m.groupby("arm"):
        out[arm] = {"median": round(s["arms"][arm].get("median_pfs_months", float("nan")),2), "cbr": round(g.clinical_benefit.mean(),3)}
    out["hr"] = {k: round(x.get("hazard_ratio", float("nan")),3) for k,x in s.get("comparisons",{}).items() if isinstance(x,dict)}
    print("RESULT", json.dumps(out), flush=True)
