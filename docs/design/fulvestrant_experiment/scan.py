import numpy as np
from mtorsim.trial._surface import PatientClass, response_surface
from mtorsim.trial._run import drug_exposure
rng=np.random.default_rng(0)
eve = np.median([drug_exposure("everolimus","10 mg daily",40,rng)["tumour_nM"][20:] for _ in range(20)])
tam = np.median([drug_exposure("tamoxifen","20 mg daily",200,rng)["tumour_nM"][150:] for _ in range(10)])
print("everolimus tumour nM", eve, "tamoxifen parent-eq nM", tam)
e2b=0.05; c500=0.164; ee=0.121
for pc in [PatientClass(ai_resistant=True), PatientClass(ai_resistant=True, pten_loss=True), PatientClass(ai_resistant=True, esr1_mut=True), PatientClass(er=False, ai_resistant=True)]:
  for w in (1.0, 0.5, 0.25):
    par = (("w_ccnd_er", 0.7*w),) if w != 1.0 else ()
    sf = response_surface(pc, ("fulvestrant",), e2_base_nM=e2b, parameters=par)
    se = response_surface(pc, ("everolimus",), e2_base_nM=e2b, parameters=par)
    st = response_surface(pc, ("tamoxifen",), e2_base_nM=e2b, parameters=par)
    f = float(sf({"fulvestrant":np.array(c500)}, np.array(1.0))["rel_div"])
    e = float(se({"everolimus":np.array(0.0)}, np.array(ee))["rel_div"])
    ev = se({"everolimus":np.array(eve)}, np.array(ee)); ev = float(ev["rel_div"]), float(ev["death"])
    t = float(st({"tamoxifen":np.array(tam)}, np.array(1.0))["rel_div"])
    print(f"{pc.label[-40:]:40s} w_ccnd_er x{w}: FUL500 {f:.3f}  EXE {e:.3f}  EVE+EXE {ev[0]:.3f} (death {ev[1]:.3f})  TAM {t:.3f}")
