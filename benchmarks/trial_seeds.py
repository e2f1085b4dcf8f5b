"""How a virtual trial's headline numbers vary between replicate trials (seeds) of the published size.

Usage: python benchmarks/trial_seeds.py [--trial bolero2] [--seeds 10] [--big 3000]

A real trial is one draw; so is a virtual one. This prints, per seed, each arm's median PFS, ORR and CBR
and the hazard ratio, then the share of seeds whose HR lies inside each published 95 % CI and whose
medians are within 25 % of the published ones, and (with --big N) the HR of one N-patient trial: the
model's expected HR, with little sampling noise.
"""

import argparse
from dataclasses import replace

import numpy as np

from mtorsim.trial import load_spec, run_trial
from mtorsim.trial._validate import MEDIAN_TOLERANCE


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--trial", default="bolero2")
    ap.add_argument("--seeds", type=int, default=10)
    ap.add_argument("--big", type=int, default=0)
    a = ap.parse_args()
    spec = load_spec(a.trial)
    pub = spec.published or {}
    hrs, med_ok, os_hrs = [], [], []
    for seed in range(a.seeds):
        s = run_trial(spec, seed=seed, progress=False).summary
        arms = s["arms"]
        hr = next(iter(s["comparisons"].values()))["hazard_ratio"] if s["comparisons"] else float("nan")
        hrs.append(hr)
        comp = next(iter(s["comparisons"].values())) if s["comparisons"] else {}
        os_hrs.append(comp["os"]["hazard_ratio"] if "os" in comp else float("nan"))
        meds = {k: v["median_pfs_months"] for k, v in arms.items()}
        ok = all(abs(meds[k] - m) <= MEDIAN_TOLERANCE * m for k, m in (pub.get("median_pfs_months") or {}).items())
        med_ok.append(ok)
        print(f"seed {seed}: " + "; ".join(f"{k}: median {v['median_pfs_months']:.2f} mo, ORR {v['orr']:.3f}, CBR {v['cbr']:.3f}"
                                           for k, v in arms.items()) + f"; HR {hr:.3f}"
              + ("; OS medians " + "/".join(f"{v['median_os_months']:.1f}" for v in arms.values()) + f", OS HR {os_hrs[-1]:.3f}"
                 if np.isfinite(os_hrs[-1]) else ""), flush=True)
    hrs = np.array(hrs)
    print(f"HR over {a.seeds} seeds: median {np.median(hrs):.3f}, range {hrs.min():.3f}-{hrs.max():.3f}")
    for key in [k for k in pub if k.startswith("hazard_ratio") and k not in ("hazard_ratio_os", "hazard_ratio_subgroups")]:
        lo, hi = pub[key]["ci"]
        print(f"  inside {key} 95% CI [{lo}, {hi}]: {np.mean((hrs >= lo) & (hrs <= hi)):.0%} of seeds")
    print(f"  medians within {MEDIAN_TOLERANCE:.0%} of the published (investigator) ones: {np.mean(med_ok):.0%} of seeds")
    os_hrs = np.array(os_hrs)
    if np.isfinite(os_hrs).all() and "hazard_ratio_os" in pub:
        lo, hi = pub["hazard_ratio_os"]["ci"]
        print(f"OS HR over {a.seeds} seeds: median {np.median(os_hrs):.3f}, range {os_hrs.min():.3f}-{os_hrs.max():.3f}; "
              f"inside [{lo}, {hi}]: {np.mean((os_hrs >= lo) & (os_hrs <= hi)):.0%} of seeds")
    if a.big:
        s = run_trial(replace(spec, patients=a.big), seed=1000, progress=False).summary
        c = next(iter(s["comparisons"].values()))
        print(f"one {a.big}-patient trial: HR {c['hazard_ratio']:.3f} (95% CI {c['hr_95ci'][0]:.3f}-{c['hr_95ci'][1]:.3f})"
              + (f"; OS HR {c['os']['hazard_ratio']:.3f} (95% CI {c['os']['hr_95ci'][0]:.3f}-{c['os']['hr_95ci'][1]:.3f})" if "os" in c else ""))


if __name__ == "__main__":
    main()
