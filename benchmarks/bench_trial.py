"""Where the time of a virtual trial goes, and how long a 700-patient, 24-month trial takes.

Usage: python benchmarks/bench_trial.py [--patients 700] [--months 24] [--workers 2]
       python benchmarks/bench_trial.py --patients 100000 --workers 2 --skip-serial --check-first 2000

Prints (1) the per-patient cost of each stage on a sample of patients — PK (exact linear solution on a
3-h grid), adverse events, surface lookups, tumour + RECIST — against the one-off cost of the response
surfaces (network + fate layer), and (2) the wall time of the whole trial serially and, with
--workers > 1, on a Dask LocalCluster, checking that both give identical outcomes.
"""

import argparse
import math
import time
from dataclasses import replace

import numpy as np

from mtorsim.trial import load_spec, run_trial
from mtorsim.trial import _run as R
from mtorsim.trial._patients import sample_patients, value


def stages(spec, n=60, seed=0):
    """Per-patient cost of each stage, the way run_trial does them: PK per patient, the adverse events of
    all ``n`` patients in one batched pass (as for one chunk), then surface lookups and the tumour."""
    plans = R.arm_plans(spec)
    n_days = R.horizon_days(spec)
    pats = sample_patients(spec, seed, range(n))
    t0 = time.perf_counter()
    surfaces = R._surfaces(spec, pats)
    t_surf = time.perf_counter() - t0
    acc = {"pk": 0.0, "adverse events": 0.0, "surface lookup": 0.0, "tumour + RECIST": 0.0}
    from mtorsim.trial._tumour import grow
    t = time.perf_counter()
    exposures = [R._patient_exposure(p, plans[p.arm], n_days) for p in pats]
    acc["pk"] += time.perf_counter() - t
    t = time.perf_counter()
    toxicity = R._toxicity(pats, plans, exposures, n_days)
    acc["adverse events"] += time.perf_counter() - t
    for p, ex, tox in zip(pats, exposures, toxicity):
        conc, e2 = {}, np.ones(n_days)
        for d, e in ex.drugs.items():
            f = tox[d][0] if d in tox else 1.0
            if "tumour_nM" in e:
                conc[d] = e["tumour_nM"] * f
            if "estradiol_fraction" in e:
                e2 = e2 * e["estradiol_fraction"]
        t = time.perf_counter()
        r = surfaces[(p.arm, p.patient_class)]({d: conc[d] for d in surfaces[(p.arm, p.patient_class)].drugs}, e2)
        acc["surface lookup"] += time.perf_counter() - t
        t = time.perf_counter()
        grow(r["rel_div"], r["death"] + r["mitotic"], g0=math.log(2) / p.doubling_time_d, phi=p.cell_loss_factor,
             resistant_fraction=p.resistant_fraction, acquired_rate=value("tumour", "acquired_resistance_rate"))
        acc["tumour + RECIST"] += time.perf_counter() - t
    return t_surf, len(surfaces), {k: 1e3 * v / n for k, v in acc.items()}


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--patients", type=int, default=700)
    ap.add_argument("--months", type=float, default=24.0)
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--skip-serial", action="store_true",
                    help="for very large trials: no serial run; compare the first --check-first patients with a serial run of that size instead")
    ap.add_argument("--check-first", type=int, default=2000)
    a = ap.parse_args()
    spec = load_spec("bolero2")
    # 24 months of daily dosing: the PFS design without the OS extension (BOLERO-2's OS cut is at 50 months)
    spec = replace(spec, patients=a.patients, follow_up={**spec.follow_up, "months": a.months},
                   endpoints=tuple(e for e in spec.endpoints if e != "os"))
    from threadpoolctl import threadpool_limits
    with threadpool_limits(limits=1, user_api="blas"):   # as run_chunk does
        t_surf, n_surf, per = stages(spec)
    print(f"response surfaces: {n_surf} patient classes x grid, {t_surf:.2f} s once per trial")
    print("per patient (ms): " + ", ".join(f"{k} {v:.1f}" for k, v in per.items()) + f"; total {sum(per.values()):.1f}")
    if a.skip_serial:
        t0 = time.perf_counter()
        par = run_trial(spec, seed=0, progress=True, scheduler="local", n_workers=a.workers, chunk_size=500)
        t_par = time.perf_counter() - t0
        hr = next(iter(par.summary["comparisons"].values()))["hazard_ratio"]
        print(f"{a.patients} patients, {a.months:g} months, Dask LocalCluster({a.workers}): {t_par:.1f} s (HR {hr:.3f})")
        # patient i's draws depend only on (seed, i), so a smaller trial is a prefix of the large one
        t0 = time.perf_counter()
        head = run_trial(replace(spec, patients=a.check_first), seed=0, progress=False)
        t_head = time.perf_counter() - t0
        first = par.outcomes[par.outcomes["patient"] < a.check_first].reset_index(drop=True)
        same = first.equals(head.outcomes.reset_index(drop=True))
        print(f"first {a.check_first} patients identical to a serial run of that size ({t_head:.1f} s): {same}")
        raise SystemExit(0 if same else 1)
    t0 = time.perf_counter()
    serial = run_trial(spec, seed=0, progress=False)
    t_serial = time.perf_counter() - t0
    hr = next(iter(serial.summary["comparisons"].values()))["hazard_ratio"]
    print(f"{a.patients} patients, {a.months:g} months of daily dosing, serial: {t_serial:.1f} s (HR {hr:.3f})")
    if a.workers > 1:
        t0 = time.perf_counter()
        par = run_trial(spec, seed=0, progress=False, scheduler="local", n_workers=a.workers)
        t_par = time.perf_counter() - t0
        same = par.outcomes.equals(serial.outcomes)
        print(f"Dask LocalCluster({a.workers}): {t_par:.1f} s, identical outcomes: {same}; speed-up {t_serial / t_par:.2f}x")
