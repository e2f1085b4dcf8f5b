# Session 6 probe: surfaces of the AI-resistant LTED-like classes with one network parameter of the class scaled
# usage: PYTHONPATH=src python docs/design/fulvestrant_experiment/s6_reweight.py w_ccnd_er 0 0.1 0.25   (or gene_ESR1 0.03 0.1 0.3)
import sys, numpy as np
import mtorsim.trial._surface as S
from mtorsim.biology import _genotype as G
from mtorsim.biology import define_cell
from mtorsim.trial._surface import PatientClass, response_surface
from mtorsim.trial._run import drug_exposure
from mtorsim.trial._patients import value
PAR = sys.argv[1]; scales = [float(x) for x in sys.argv[2:]]
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
orig_cell = PatientClass.cell
for s in scales:
    G.TRAITS["LTEDX"] = [G.Effect(PAR, "mul", s, "probe")]
    def cell(self):
        c = orig_cell(self)
        if "LTED" in c.traits:
            from dataclasses import replace
            c = replace(c, traits=c.traits + ("LTEDX",))
        return c
    PatientClass.cell = cell
    S.response_surface.cache_clear()
    print(f"--- LTED-like class: {PAR} x {s}")
    for ai, esr1 in [(True,False)]:
        for pik,pten in [(False,False),(True,False),(False,True)]:
            pc = PatientClass(pik3ca=pik, pten_loss=pten, ai_resistant=ai, esr1_mut=esr1)
            f = response_surface(pc, ("fulvestrant",), e2_base_nM=e2b)
            s0 = response_surface(pc, (), e2_base_nM=e2b)
            se = response_surface(pc, ("everolimus",), e2_base_nM=e2b)
            st = response_surface(pc, ("tamoxifen",), e2_base_nM=e2b)
            g = lambda s, c, e: float(s(c, np.array(e))["rel_div"])
            print(f"{pc.label:62s} F500 {g(f,{'fulvestrant':np.array(c500)},1):.3f} F250 {g(f,{'fulvestrant':np.array(c250)},1):.3f} "
                  f"EXE {g(s0,{},ee):.3f} EVE+EXE {g(se,{'everolimus':np.array(ce)},ee):.3f} EVE {g(se,{'everolimus':np.array(ce)},1):.3f} TAM {g(st,{'tamoxifen':np.array(ct)},1):.3f}")
