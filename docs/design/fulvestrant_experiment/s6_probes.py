# Session 6 probes (docs/design/fulvestrant-ai-resistant.md section 5): surfaces of the patient classes at the median
# clinical exposures, with either a cyclin-D1-independent share phi of G1-S drive in the AI-resistant classes, or one
# network parameter of the LTED-like class scaled.
# usage: PYTHONPATH=src python docs/design/fulvestrant_experiment/s6_probes.py phi 0 0.5 0.8
#        PYTHONPATH=src python docs/design/fulvestrant_experiment/s6_probes.py w_ccnd_er 0 0.1 0.25   (or gene_ESR1 0.03 0.1 0.3)
import sys
from dataclasses import replace
import numpy as np
import mtorsim.trial._surface as S
from mtorsim.biology import _genotype as G
from mtorsim.trial._surface import PatientClass, response_surface
from _exposures import clinical_exposures
from mtorsim.trial._patients import value

mode, values = sys.argv[1], [float(x) for x in sys.argv[2:]]
e2b = value("tumour", "estradiol_baseline_nM")
x = clinical_exposures(40, tamoxifen=True)
c500, c250, ee, ce, ct = x["F500"], x["F250"], x["E2frac"], x["EVE"], x["TAM"]
orig_cd1, orig_cell = S.cyclin_d1_independence, PatientClass.cell
classes = [(True, False)] if mode != "phi" else [(False, False), (True, False), (True, True)]
for v in values:
    if mode == "phi":
        S.cyclin_d1_independence = lambda cell, fate, v=v: (1 - (1 - orig_cd1(cell, fate)) * (1 - v)
                                                            if "AI-resistant" in cell.name else orig_cd1(cell, fate))
    else:
        G.TRAITS["LTEDX"] = [G.Effect(mode, "mul", v, "probe")]
        PatientClass.cell = lambda self: (lambda c: replace(c, traits=c.traits + ("LTEDX",)) if "LTED" in c.traits else c)(orig_cell(self))
    S.response_surface.cache_clear()
    print(f"--- {mode} {v}")
    for ai, esr1 in classes:
        for pik, pten in [(False, False), (True, False), (False, True)]:
            pc = PatientClass(pik3ca=pik, pten_loss=pten, ai_resistant=ai, esr1_mut=esr1)
            f, s0, se, st = (response_surface(pc, d, e2_base_nM=e2b) for d in (("fulvestrant",), (), ("everolimus",), ("tamoxifen",)))
            g = lambda s, c, e: float(s(c, np.array(e))["rel_div"])
            print(f"{pc.label:62s} F500 {g(f, {'fulvestrant': np.array(c500)}, 1):.3f} F250 {g(f, {'fulvestrant': np.array(c250)}, 1):.3f} "
                  f"EXE {g(s0, {}, ee):.3f} EVE+EXE {g(se, {'everolimus': np.array(ce)}, ee):.3f} EVE {g(se, {'everolimus': np.array(ce)}, 1):.3f} "
                  f"TAM {g(st, {'tamoxifen': np.array(ct)}, 1):.3f}")
