import numpy as np
from mtorsim.trial._surface import PatientClass
from mtorsim.biology import Medium
from mtorsim.simulate import simulate
e2b=0.05
for pc in [PatientClass(), PatientClass(ai_resistant=True), PatientClass(ai_resistant=True, esr1_mut=True)]:
    cell = pc.cell()
    for drugs, e2f in [([],1.0), (["fulvestrant=0.164nM"],1.0), ([],0.12)]:
        sig = simulate(cell, drugs=drugs, medium=Medium("full", estradiol_nM=e2b*e2f), preequilibration_medium=Medium("full", estradiol_nM=e2b), times=[0.0, 168.0], normalize="cell")
        vs = {}
        for v in ("ER_activity","cyclinD1","pERK1_2","pAKT_S473","pER_S167"):
            try: vs[v]=float(sig[v].isel(time=-1))
            except Exception as e: vs[v]=None
        print(pc.label[-30:], drugs, e2f, {k:(round(v,3) if v is not None else None) for k,v in vs.items()})
