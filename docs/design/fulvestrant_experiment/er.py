from mtorsim.trial._surface import PatientClass
from mtorsim.biology import Medium
from mtorsim.simulate import simulate
e2b=0.05
for pc in [PatientClass(), PatientClass(ai_resistant=True)]:
    cell = pc.cell()
    for c in (0.023, 0.077, 0.13, 0.164):
        sig = simulate(cell, drugs=[f"fulvestrant={c}nM"], medium=Medium("full", estradiol_nM=e2b), preequilibration_medium=Medium("full", estradiol_nM=e2b), times=[0.0, 168.0], normalize="cell")
        names=[v for v in sig.data_vars if v in ("ER","ER_total","ER_activity","cyclinD1")]
        print(pc.label[-28:], c, {v: round(float(sig[v].isel(time=-1)),3) for v in names})
