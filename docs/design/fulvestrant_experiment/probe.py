import numpy as np
from mtorsim.trial._surface import PatientClass, response_surface
e2b=0.05; c500=0.164; ee=0.121; eve=25.6; tam=10.65
for pc in [PatientClass(ai_resistant=True), PatientClass(ai_resistant=True, pten_loss=True)]:
  for par in [(), (("K_167",0.5),), (("K_167",0.5),("w_ccnd_erk",1.2)), (("K_167",0.5),("w_ccnd_erk",2.4)), (("K_167",0.5),("w_ccnd_er",0.35),("w_ccnd_erk",1.2))]:
    par = tuple(sorted(par))
    sf = response_surface(pc, ("fulvestrant",), e2_base_nM=e2b, parameters=par)
    se = response_surface(pc, ("everolimus",), e2_base_nM=e2b, parameters=par)
    f = float(sf({"fulvestrant":np.array(c500)}, np.array(1.0))["rel_div"])
    e = float(se({"everolimus":np.array(0.0)}, np.array(ee))["rel_div"])
    ev = float(se({"everolimus":np.array(eve)}, np.array(ee))["rel_div"])
    print(f"{pc.label[-40:]:40s} {par}: FUL500 {f:.3f} EXE {e:.3f} EVE+EXE {ev:.3f}", flush=True)
