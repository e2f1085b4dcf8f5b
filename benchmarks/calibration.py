"""Calibration cost: gradients from forward sensitivities against finite differences, side by side.

Run: ``python benchmarks/calibration.py [--starts 4] [--max-iter 200] [--spread 1] [--problem fujita|mtorsim|both]``
(needs the shared data dir; ``mtorsim`` is the problem ``export_petab`` writes).

Per problem, in the same process and at the same CVODE tolerances (the fit defaults, rtol 1e-10,
atol 1e-12): the time of one objective value, of one gradient by forward sensitivities, by central
and by forward differences (medians of repeats), their ratios, and each gradient's error against a
reference gradient (forward sensitivities at rtol 1e-12; central differences at step 1e-3 printed too).
Then ``--starts`` L-BFGS-B starts from the same start points with each gradient (``--spread 1``:
nominal ± 1 on the parameter scale, i.e. a decade for log10; ``--spread 0``: uniform within the
bounds, which for Fujita's 1e-8…1e8 mostly lands in flat, failing regions): time per start,
iterations, simulations, final objective.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np


def _median_time(fn, repeats: int) -> float:
    out = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return statistics.median(out)


def _gradients(name: str, path: Path, repeats: int) -> None:
    from mtorsim.calibrate import CalibrationSettings, Objective
    from mtorsim.simulate._sbml import IntegratorOptions

    s = CalibrationSettings()
    integ = IntegratorOptions(rtol=s.rtol, atol=s.atol)
    t0 = time.perf_counter()
    sens = Objective(path, integrator=integ, gradient="sensitivities")
    t_build = time.perf_counter() - t0
    fd = Objective(path, integrator=integ, gradient="fd", fd_step=s.fd_step)
    fwd = Objective(path, integrator=integ, gradient="fd", fd_step=s.fd_step, fd="forward")
    ref = Objective(path, integrator=IntegratorOptions(rtol=1e-12, atol=1e-14), gradient="sensitivities")
    fd3 = Objective(path, integrator=integ, gradient="fd", fd_step=1e-3)
    x = sens.nominal + 0.1 * (-1.0) ** np.arange(len(sens.ids))  # away from the optimum
    x = np.clip(x, sens.lower, sens.upper)
    g_ref = ref.value_and_grad(x)[1]
    t_f = _median_time(lambda: fd(x), 3 * repeats)
    t_s = _median_time(lambda: sens.value_and_grad(x), repeats)
    t_c = _median_time(lambda: fd.value_and_grad(x), repeats)
    t_w = _median_time(lambda: fwd.value_and_grad(x), repeats)

    def err(g):
        return float(np.linalg.norm(g - g_ref) / np.linalg.norm(g_ref))

    n = len(sens.ids)
    print(f"\n== {name}: {n} estimated parameters, {len(sens.evaluator.measurements)} measurements, "
          f"{len(sens.evaluator.pairs)} condition pairs; sensitivities: {sens._sens.n_states} states x "
          f"{len(sens._sens.dynamic_all)} dynamic parameters in {len(sens._sens_chunks)} augmented model(s) of "
          f"<= {sens.sensitivity_chunk} parameters, built in {t_build:.1f} s")
    print(f"objective value           {t_f * 1e3:8.1f} ms")
    print(f"gradient, sensitivities   {t_s * 1e3:8.1f} ms   rel. error {err(sens.value_and_grad(x)[1]):.1e}")
    print(f"gradient, central FD      {t_c * 1e3:8.1f} ms   rel. error {err(fd.value_and_grad(x)[1]):.1e}"
          f"   (step {s.fd_step:g}; step 1e-3: {err(fd3.value_and_grad(x)[1]):.1e})")
    print(f"gradient, forward FD      {t_w * 1e3:8.1f} ms   rel. error {err(fwd.value_and_grad(x)[1]):.1e}")
    print(f"speed-up of sensitivities: x{t_c / t_s:.2f} over central FD, x{t_w / t_s:.2f} over forward FD "
          f"(ratios of medians, same process)")


def _starts(name: str, path: Path, starts: int, max_iter: int, spread: float) -> None:
    from mtorsim.calibrate import CalibrationSettings, Objective, calibrate

    x0 = None
    if spread > 0:  # start points around the nominal values (uniform ± spread on the parameter scale)
        obj = Objective(path, gradient="fd")
        rng = np.random.default_rng(0)
        x0 = np.clip(obj.nominal + rng.uniform(-spread, spread, (starts, len(obj.ids))), obj.lower, obj.upper)
    res = {}
    for grad in ("sensitivities", "fd"):
        t0 = time.perf_counter()
        r = calibrate(path, starts=starts, seed=0, gradient=grad, progress=False, lint=False, x0=x0,
                      settings=CalibrationSettings(max_iter=max_iter))
        wall = time.perf_counter() - t0
        st = r.starts.sort_values("start")
        res[grad] = st
        print(f"{name}, {starts} L-BFGS-B starts with {grad:13s}: {wall:6.1f} s wall; per start median "
              f"{st['time_s'].median():.2f} s (max {st['time_s'].max():.2f}); median {int(st['n_iter'].median())} "
              f"iterations, {int(st['n_fev'].median())} simulations (a sensitivity gradient counts 1, an FD gradient "
              f"2n+1), {int(st['n_fd_fallbacks'].sum())} FD fallbacks; best f = {r.best_fval:.4f}; "
              + ", ".join(f"{k}={v}" for k, v in st["status"].value_counts().items()))
    a, b = res["sensitivities"], res["fd"]
    print(f"per start (same start points): time ratio FD / sensitivities = "
          f"{(b['time_s'].to_numpy() / a['time_s'].to_numpy()).round(2).tolist()}; final f "
          f"sensitivities {a['fval'].round(3).tolist()} vs FD {b['fval'].round(3).tolist()}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--starts", type=int, default=4)
    ap.add_argument("--max-iter", type=int, default=200)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--spread", type=float, default=1.0,
                    help="starts at nominal ± U(-spread, spread) on the parameter scale; 0: the problem's own "
                         "start distribution (uniform within the bounds)")
    ap.add_argument("--problem", choices=("fujita", "mtorsim", "both"), default="both")
    args = ap.parse_args()

    from mtorsim._data import data_dir

    problems = []
    if args.problem in ("fujita", "both"):
        d = data_dir(required=True) / "models" / "petab" / "Fujita_SciSignal2010"
        problems.append(("Fujita 2010", d / "Fujita_SciSignal2010.yaml"))
    tmp = tempfile.TemporaryDirectory()
    if args.problem in ("mtorsim", "both"):
        from mtorsim.calibrate import export_petab

        problems.append(("mtorsim export_petab (Nelander 2008)", export_petab(Path(tmp.name) / "mtorsim")))
    for name, path in problems:
        _gradients(name, path, args.repeats)
        if args.starts:
            _starts(name, path, args.starts, args.max_iter, args.spread)
    tmp.cleanup()


if __name__ == "__main__":
    main()
