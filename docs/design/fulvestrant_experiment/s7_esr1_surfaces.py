# ESR1-mutant class surfaces at median clinical exposures, with esr1_const set to each value given
import sys
from dataclasses import replace
import numpy as np
import mtorsim.trial._surface as S
from mtorsim.biology import _genotype as G
from mtorsim.trial._surface import PatientClass, response_surface
from mtorsim.trial._run import drug_exposure
from mtorsim.trial._patients import value
extra = sys.argv[1]  # parameter name to set in mutants besides esr1_const, or '-'
pairs = [tuple(float(x) for x in a.split(",")) for a in sys.argv[2:]]
e2b = value("tumour", "estradiol_baseline_nM")
rng = np.random.default_rng(0)
def med(drug, reg, n, days, lo, hi):
    key = "estradiol_fraction" if drug == "exemestane" else "tumour_nM"
    return float(np.median([drug_exposure(drug, reg, days, rng)[key][lo:hi] for _ in range(n)]))
c500 = med("fulvestrant", "500 mg im on days 1,15,29 then every 28 days", 30, 200, 90, 180)
c250 = med("fulvestrant", "250 mg im every 28 days", 30, 200, 90, 180)
ee = med("exemestane", "25 mg daily", 20, 60, 30, 60)
ce = med("everolimus", "10 mg daily", 20, 60, 30, 60)
print(f"exposures F500 {c500:.3f} F250 {c250:.3f} E2frac {ee:.3f} EVE {ce:.2f}")
orig_cell = PatientClass.cell
def show(pc):
    f, s0, se = (response_surface(pc, d, e2_base_nM=e2b) for d in (("fulvestrant",), (), ("everolimus",)))
    g = lambda s, c, e: float(s(c, np.array(e))["rel_div"])
    print(f"{pc.label:70s} F500 {g(f, {'fulvestrant': np.array(c500)}, 1):.3f} F250 {g(f, {'fulvestrant': np.array(c250)}, 1):.3f} "
          f"EXE {g(s0, {}, ee):.3f} EVE+EXE {g(se, {'everolimus': np.array(ce)}, ee):.3f} EVE {g(se, {'everolimus': np.array(ce)}, 1):.3f}")
show(PatientClass(ai_resistant=True, er_expression=0.05))
for pr in pairs:
    eff = [G.Effect("esr1_const", "set", pr[0], "probe")] + ([G.Effect(extra, "set", pr[1], "probe")] if extra != "-" else [])
    G.TRAITS["PROBE"] = eff
    PatientClass.cell = lambda self: (lambda c: replace(c, traits=c.traits + ("PROBE",)) if self.esr1_mut else c)(orig_cell(self))
    S.response_surface.cache_clear()
    print("---", pr)
    for pik in (False, True):
        show(PatientClass(pik3ca=pik, ai_resistant=True, esr1_mut=True))
