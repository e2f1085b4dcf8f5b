import numpy as np
from scipy.stats import norm
from mtorsim.trial._surface import PatientClass
from mtorsim.biology import Medium
from mtorsim.simulate import simulate
e2b=0.05
def avail(pc, c, days=28):
    sig = simulate(pc.cell(), drugs=[f"fulvestrant={c}nM"] if c>0 else [], medium=Medium("full", estradiol_nM=e2b), preequilibration_medium=Medium("full", estradiol_nM=e2b), times=[0.0, days*24.0], normalize="none")
    vs = list(sig.data_vars)
    er = float(sig["ER"].isel(time=-1)) if "ER" in vs else float(sig["ER_total"].isel(time=-1))
    # free (not fulvestrant-bound) ER: ER x (1 - occ_SERD)
    u = c/0.11; occ = u/(1+e2b/0.1+u)
    return er, occ
for pc in [PatientClass(), PatientClass(ai_resistant=True)]:
    er0, _ = avail(pc, 0.0)
    cs = np.logspace(-3, 0.5, 30)
    red = []
    for c in cs:
        er, occ = avail(pc, c)
        red.append(1 - er*(1-occ)/er0)
    red = np.array(red)
    c75 = float(np.interp(0.75, red, cs))
    r013 = float(np.interp(np.log(0.13), np.log(cs), red))
    sd = np.log(0.13/c75)/(-norm.ppf(0.38))
    print(pc.label[-30:], "reduction at 0.13 nM (day-28 median exposure, 500 mg):", round(r013,3), " c at 75% reduction:", round(c75,4), " log-sd giving 38% below 75%:", round(sd,2))
