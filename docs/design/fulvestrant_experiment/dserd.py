import numpy as np
from mtorsim.trial._surface import PatientClass, response_surface
from mtorsim.biology import Medium
from mtorsim.simulate import simulate
e2b=0.05
for ds in (9.0, 3.0, 1.0):
    par = (("d_serd", ds),) if ds != 9.0 else ()
    sn = response_surface(PatientClass(), ("fulvestrant",), e2_base_nM=e2b, parameters=par)
    sl = response_surface(PatientClass(ai_resistant=True), ("fulvestrant",), e2_base_nM=e2b, parameters=par)
    cs = np.logspace(-2, 1.5, 200)
    rn = sn({"fulvestrant": cs}, np.ones_like(cs))["rel_div"]
    c = cs[np.argmin(abs(rn - 0.25))]
    rl = float(sl({"fulvestrant": np.array(c)}, np.array(1.0))["rel_div"])
    sig = simulate(PatientClass().cell(), drugs=[f"fulvestrant={c}nM"], medium=Medium("full", estradiol_nM=e2b), preequilibration_medium=Medium("full", estradiol_nM=e2b), times=[0.0,168.0], parameters=dict(par) or None, normalize="cell")
    print(f"d_serd {ds}: conc giving naive rel_div 0.25 = {c:.3f} nM; naive ER_total {float(sig['ER_total'].isel(time=-1)):.2f}; LTED rel_div there {rl:.3f}")
