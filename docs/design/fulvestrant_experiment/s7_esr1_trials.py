# EFECT and BOLERO-2 with the ESR1-mutant class changed: esr1_const C (and esr1_mut_bound_activity R) in mutants,
# and their untreated growth rate multiplied by F.  usage: esr1_trials.py C R F seeds...
import sys
from dataclasses import replace
import numpy as np
import mtorsim.trial._run as RUN
import mtorsim.trial._surface as S
from mtorsim.biology import _genotype as G
from mtorsim.trial import run_trial
from mtorsim.trial._stats import cox_hr
C, R, F = (float(x) for x in sys.argv[1:4])
seeds = [int(s) for s in sys.argv[4:]]
# R (residual activity of the antagonist-bound mutant) needs the session-7 probe parameter esr1_mut_bound_activity,
# which was not kept (docs/design/fulvestrant-ai-resistant.md section 7): pass 0
G.TRAITS["PROBE"] = [G.Effect("esr1_const", "set", C, "probe")] + ([G.Effect("esr1_mut_bound_activity", "set", R, "probe")] if R else [])
orig_cell = S.PatientClass.cell
S.PatientClass.cell = lambda self: (lambda c: replace(c, traits=c.traits + ("PROBE",)) if self.esr1_mut else c)(orig_cell(self))
orig_sp = RUN.sample_patients
RUN.sample_patients = lambda *a, **k: [replace(p, doubling_time_d=p.doubling_time_d / F) if p.patient_class.esr1_mut else p for p in orig_sp(*a, **k)]
for trial in ("efect", "bolero2"):
    for seed in seeds:
        r = run_trial(trial, seed=seed, progress=False)
        o = r.outcomes.merge(r.patients[["patient", "ESR1_mutant"]], on="patient")
        s = r.summary
        comp = list(s["comparisons"].values())[0]
        sub = {k: round(v["hazard_ratio"], 3) for k, v in comp.get("subgroups", {}).items() if "ESR1" in k}
        within = {}
        for arm, g in o.groupby("arm"):
            hr = cox_hr(g.pfs_months.to_numpy(), g.progressed.to_numpy(), g.ESR1_mutant.to_numpy())[0]
            med = {m: round(float(np.median(g[g.ESR1_mutant == m].pfs_months)), 2) for m in (True, False)}
            within[arm] = (round(hr, 3), med)
        print(trial, seed, {a: round(v["median_pfs_months"], 2) for a, v in s["arms"].items()}, "HR", round(comp["hazard_ratio"], 3), sub, "mut-vs-wt", within, flush=True)
