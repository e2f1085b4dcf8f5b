# ESR1-mutant class surfaces at median clinical exposures, with esr1_const set to each value given
import sys
from dataclasses import replace
import numpy as np
import mtorsim.trial._surface as S
from mtorsim.biology import _genotype as G
from mtorsim.trial._surface import PatientClass, response_surface
from _exposures import clinical_exposures
from mtorsim.trial._patients import value
extra = sys.argv[1]  # parameter name to set in mutants besides esr1_const, or '-'
pairs = [tuple(float(x) for x in a.split(",")) for a in sys.argv[2:]]
e2b = value("tumour", "estradiol_baseline_nM")
x = clinical_exposures(30)
c500, c250, ee, ce = x["F500"], x["F250"], x["E2frac"], x["EVE"]
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
