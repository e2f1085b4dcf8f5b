# Session 6 probe: what everolimus and fulvestrant do to the fate inputs (cyclin D1, translation) of the LTED-like class
# usage: PYTHONPATH=src python docs/design/fulvestrant_experiment/s6_everolimus_inputs.py
import numpy as np
from dataclasses import replace
from mtorsim.biology import Medium, _genotype as G
from mtorsim.simulate import simulate
from mtorsim.trial._surface import PatientClass
from mtorsim.fate import FateParameters
from mtorsim.trial._patients import value
e2b = value("tumour", "estradiol_baseline_nM"); fp = FateParameters()
G.TRAITS["ERLOW"] = [G.Effect("gene_ESR1", "mul", 0.1, "probe")]
for label, extra in (("LTED-like", ()), ("LTED-like, ERa x0.1", ("ERLOW",))):
    for pten in (False, True):
        c = PatientClass(pten_loss=pten, ai_resistant=True).cell()
        c = replace(c, traits=c.traits + extra)
        for drugs, e2f in (([], 0.121), (["everolimus=25.65nM"], 0.121), (["everolimus=25.65nM"], 1.0), (["fulvestrant=0.164nM"], 1.0)):
            s = simulate(c, drugs=drugs, medium=Medium("full", estradiol_nM=e2b * e2f), preequilibration_medium=Medium("full", estradiol_nM=e2b),
                         times=[0.0, 168.0], normalize="cell")
            cd, tr = float(s["cyclinD1"].isel(time=-1)), float(s["translation"].isel(time=-1))
            drive = cd ** fp.n_drive * 2 / (1 + cd ** fp.n_drive)
            print(f"{label:22s} PTEN-loss={pten!s:5s} {'+'.join(drugs) or 'none':22s} E2 x{e2f:<5} cyclinD1 {cd:.3f} (drive {drive:.3f})  translation {tr:.3f} (^a {tr ** fp.a_translation:.3f})")
