# Session 6 probe: surfaces with a cyclin-D1-independent share phi of G1-S drive in AI-resistant classes
# usage: PYTHONPATH=src python docs/design/fulvestrant_experiment/s6_phi.py 0 0.5 0.8
import sys, numpy as np
import mtorsim.trial._surface as S
from mtorsim.trial._surface import PatientClass, response_surface
from mtorsim.trial._run import drug_exposure
from mtorsim.trial._patients import value
from mtorsim.fate import FateParameters
phis = [float(x) for x in sys.argv[1:]] or [0.0]
e2b = value("tumour","estradiol_baseline_nM")
rng = np.random.default_rng(0)
def med(drug, reg, n, days, lo, hi):
    key = "estradiol_fraction" if drug in ("exemestane",) else "tumour_nM"
    return float(np.median([drug_exposure(drug, reg, days, rng)[key][lo:hi] for _ in range(n)]))
c500 = med("fulvestrant","500 mg im on days 1,15,29 then every 28 days", 40, 200, 90, 180)
c250 = med("fulvestrant","250 mg im every 28 days", 40, 200, 90, 180)
ee = med("exemestane","25 mg daily", 20, 60, 30, 60)
ce = med("everolimus","10 mg daily", 20, 60, 30, 60)
ct = med("tamoxifen","20 mg daily", 20, 200, 150, 200)
print(f"exposures F500 {c500:.3f} F250 {c250:.3f} E2frac {ee:.3f} EVE {ce:.2f} TAM {ct:.2f}")
orig = S.cyclin_d1_independence
for phi in phis:
    def cd1(cell, fate, phi=phi):
        base = orig(cell, fate)
        return 1 - (1 - base) * (1 - phi) if "AI-resistant" in cell.name else base
    S.cyclin_d1_independence = cd1
    S.response_surface.cache_clear()
    print(f"--- phi_ai {phi}")
    for ai, esr1 in [(False,False),(True,False),(True,True)]:
        for pik,pten in [(False,False),(True,False),(False,True)]:
            pc = PatientClass(pik3ca=pik, pten_loss=pten, ai_resistant=ai, esr1_mut=esr1)
            f = response_surface(pc, ("fulvestrant",), e2_base_nM=e2b)
            s0 = response_surface(pc, (), e2_base_nM=e2b)
            se = response_surface(pc, ("everolimus",), e2_base_nM=e2b)
            st = response_surface(pc, ("tamoxifen",), e2_base_nM=e2b)
            g = lambda s, c, e: float(s(c, np.array(e))["rel_div"])
            print(f"{pc.label:62s} F500 {g(f,{'fulvestrant':np.array(c500)},1):.3f} F250 {g(f,{'fulvestrant':np.array(c250)},1):.3f} "
                  f"EXE {g(s0,{},ee):.3f} EVE+EXE {g(se,{'everolimus':np.array(ce)},ee):.3f} EVE {g(se,{'everolimus':np.array(ce)},1):.3f} TAM {g(st,{'tamoxifen':np.array(ct)},1):.3f}")
