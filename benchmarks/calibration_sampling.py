"""Posterior sampling: mtorsim's adaptive Metropolis against pyPESTO's (the optional oracle), side by side.

Run: ``python benchmarks/calibration_sampling.py [--samples 4000] [--chains 2]`` (pyPESTO optional).

Problem: the synthetic ``A → B → ∅`` problem of ``tests/calibrate/_synthetic.py`` with noisy data
(σ = 0.05, seed 3), ``k1`` and ``k2`` estimated on log10 (fixed parameters on ``lin``: pyPESTO 0.7.0
passes fixed ``log10`` nominal values to roadrunner unscaled). Printed: posterior mean and SD of each
parameter (log10 scale) from mtorsim, from pyPESTO's ``AdaptiveMetropolisSampler`` (same start, same
number of iterations, burn-in half) and from the Laplace approximation, and the time of each sampler.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--samples", type=int, default=4000)
    ap.add_argument("--chains", type=int, default=2)
    args = ap.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "calibrate"))
    from _synthetic import write_problem

    from mtorsim.calibrate import Objective, calibrate, sample

    tmp = tempfile.TemporaryDirectory()
    path = write_problem(Path(tmp.name) / "p", noise=0.05, seed=3, fixed_scale="lin")
    fit = calibrate(path, starts=2, progress=False)
    obj = Objective(path)
    J = obj.residual_jacobian(fit.best_x)
    lap_sd = np.sqrt(np.diag(np.linalg.inv(J.T @ J)))
    t0 = time.perf_counter()
    ens = sample(path, start=fit, n_samples=args.samples, chains=args.chains, seed=0, progress=False)
    t_ours = time.perf_counter() - t0
    x = ens.chains().reshape(-1, len(ens.ids))
    print(f"synthetic problem, {args.chains} chains x {args.samples} iterations, burn-in half")
    print(f"{'':10s} {'mtorsim mean':>13s} {'SD':>8s}   {'pyPESTO mean':>13s} {'SD':>8s}   {'Laplace SD':>10s}")
    rows = {p: [x[:, j].mean(), x[:, j].std(ddof=1)] for j, p in enumerate(ens.ids)}
    t_theirs = float("nan")
    try:
        import pypesto.objective.roadrunner as prr
        import pypesto.sample as psample
        from petab.v1 import Problem

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            problem = prr.PetabImporterRR(Problem.from_yaml(path)).create_problem()
            draws = []
            t0 = time.perf_counter()
            for c in range(args.chains):
                np.random.seed(c)
                res = psample.sample(problem, n_samples=args.samples, sampler=psample.AdaptiveMetropolisSampler({"show_progress": False}),
                                     x0=np.asarray(fit.best_x))
                tr = np.asarray(res.sample_result.trace_x)[0]
                draws.append(tr[len(tr) // 2:])
            t_theirs = time.perf_counter() - t0
        y = np.concatenate(draws)
        for j, p in enumerate(ens.ids):
            rows[p] += [y[:, j].mean(), y[:, j].std(ddof=1)]
    except ImportError:
        for p in rows:
            rows[p] += [np.nan, np.nan]
    for j, p in enumerate(ens.ids):
        m, s, pm, ps = rows[p]
        print(f"{p:10s} {m:13.5f} {s:8.5f}   {pm:13.5f} {ps:8.5f}   {lap_sd[j]:10.5f}")
    print(f"time: mtorsim {t_ours:.1f} s, pyPESTO {t_theirs:.1f} s; mtorsim split-R̂ "
          f"{ens.diagnostics['rhat'].round(3).tolist()}, ESS {ens.diagnostics['ess'].round(0).tolist()}")
    tmp.cleanup()


if __name__ == "__main__":
    main()
