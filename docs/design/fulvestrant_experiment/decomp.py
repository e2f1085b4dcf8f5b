import numpy as np, sys
from mtorsim.trial._surface import PatientClass, response_surface
from mtorsim.trial._run import drug_exposure
from mtorsim.trial._patients import value
e2b = value("tumour","estradiol_baseline_nM")
rng = np.random.default_rng(0)
def exp_(drug, reg, n=60, days=200):
    return np.array([drug_exposure(drug, reg, days, rng)[("tumour_nM" if drug!="exemestane" else "estradiol_fraction")] for _ in range(n)])
F500 = exp_("fulvestrant","500 mg im on days 1,15,29 then every 28 days")
F250 = exp_("fulvestrant","250 mg im every 28 days")
EXE = exp_("exemestane","25 mg daily", n=20, days=60)
print("ful500 tumour nM median day 14, 28, 90-180:", np.median(F500[:,14]), np.median(F500[:,28]), np.median(F500[:,90:180]))
print("ful250 tumour nM median day 28, 90-180:", np.median(F250[:,28]), np.median(F250[:,90:180]))
print("exemestane E2 fraction steady:", np.median(EXE[:,30:]))
c500 = float(np.median(F500[:,90:180])); c250=float(np.median(F250[:,90:180])); ee=float(np.median(EXE[:,30:]))
classes = []
for ai, esr1 in [(False,False),(True,False),(True,True)]:
    for pik,pten in [(False,False),(True,False),(False,True),(True,True)]:
        classes.append(PatientClass(pik3ca=pik, pten_loss=pten, ai_resistant=ai, esr1_mut=esr1))
for pc in classes:
    sf = response_surface(pc, ("fulvestrant",), e2_base_nM=e2b)
    s0 = response_surface(pc, (), e2_base_nM=e2b)
    def net(r): return float(r["rel_div"]), float(r["death"]+r["mitotic"])
    a = net(sf({"fulvestrant":np.array(c500)}, np.array(1.0)))
    b = net(sf({"fulvestrant":np.array(c250)}, np.array(1.0)))
    e = net(s0({}, np.array(ee)))
    print(f"{pc.label:70s} F500 div {a[0]:.3f} kill {a[1]:.3f} | F250 div {b[0]:.3f} kill {b[1]:.3f} | EXE div {e[0]:.3f} kill {e[1]:.3f}")
