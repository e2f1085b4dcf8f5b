"""Calibration cost on Fujita 2010 (PEtab benchmark collection): time per objective evaluation, per
finite-difference gradient, and per multi-start local optimisation (L-BFGS-B).

Run: ``python benchmarks/calibration.py [--starts 3] [--max-iter 1000]`` (needs the shared data dir).

Sensitivities: libRoadRunner 2.10's ``timeSeriesSensitivities`` is probed on the same model against
central differences (one parameter, EGF on) and the outcome printed. Calibration gradients are finite
differences (PEtab chain rules over those sensitivities are not implemented), so no speed-up is reported.
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np


def _probe_sensitivities(sbml: str) -> str:
    """libRoadRunner's forward sensitivities of all species to EGFR_turnover at t = 600 s, EGF on,
    against central differences of the same simulation."""
    import roadrunner
    from roadrunner import SelectionRecord as SR

    def fresh(value=None):
        rr = roadrunner.RoadRunner(sbml)
        rr.model["init(EGF_0)"] = 1.0
        rr.model["init(EGF_end)"] = 3600.0
        if value is not None:
            rr.model["init(EGFR_turnover)"] = value
        rr.reset(SR.TIME | SR.RATE | SR.FLOATING | SR.DEPENDENT_INITIAL_GLOBAL_PARAMETER)
        return rr

    rr = fresh()
    v = rr.getValue("EGFR_turnover")
    try:
        t0 = time.perf_counter()
        _, sens, rows, cols = rr.timeSeriesSensitivities(0, 600, 7, ["EGFR_turnover"])
        dt = time.perf_counter() - t0
    except RuntimeError as exc:
        return "fails: " + " ".join(str(exc).split())[:160]
    def end(value):
        r = fresh(value)
        r.timeCourseSelections = ["time"] + [f"[{c}]" for c in cols]
        return np.asarray(r.simulate(0, 600, 7))[-1, 1:]
    h = v * 1e-6
    fd = (end(v + h) - end(v - h)) / (2 * h)
    s = np.asarray(sens)[-1, 0]
    err = np.max(np.abs(s - fd)) / max(np.max(np.abs(fd)), 1e-300)
    return f"ran in {dt:.3f} s; max |S - FD| / max |FD| = {err:.3g} ({'usable' if err < 1e-3 else 'NOT usable'})"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--starts", type=int, default=3)
    ap.add_argument("--max-iter", type=int, default=1000)
    args = ap.parse_args()

    from mtorsim._data import data_dir
    from mtorsim.calibrate import CalibrationSettings, Objective, calibrate

    d = data_dir(required=True) / "models" / "petab" / "Fujita_SciSignal2010"
    yaml_path = d / "Fujita_SciSignal2010.yaml"
    s = CalibrationSettings()
    from mtorsim.simulate._sbml import IntegratorOptions

    obj = Objective(yaml_path, integrator=IntegratorOptions(rtol=s.rtol, atol=s.atol))
    x = obj.nominal
    obj(x)
    t = []
    for _ in range(20):
        t0 = time.perf_counter()
        obj(x)
        t.append(time.perf_counter() - t0)
    f_eval = statistics.median(t)
    t0 = time.perf_counter()
    obj.value_and_grad(x)
    g_central = time.perf_counter() - t0
    obj.fd = "forward"
    t0 = time.perf_counter()
    obj.value_and_grad(x)
    g_forward = time.perf_counter() - t0
    print(f"Fujita 2010: {len(obj.ids)} estimated parameters, {len(obj.evaluator.measurements)} measurements")
    print(f"objective evaluation (rtol {s.rtol:g}): {f_eval * 1e3:.1f} ms (median of 20)")
    print(f"FD gradient, central (2n+1 evaluations): {g_central:.3f} s; forward (n+1): {g_forward:.3f} s")
    print("forward sensitivities (libRoadRunner 2.10):", _probe_sensitivities(str(d / "model_Fujita_SciSignal2010.xml")))
    t0 = time.perf_counter()
    res = calibrate(yaml_path, starts=args.starts, seed=0, progress=False,
                    settings=CalibrationSettings(max_iter=args.max_iter))
    wall = time.perf_counter() - t0
    st = res.starts
    print(f"{args.starts} starts (L-BFGS-B, central FD, serial): {wall:.1f} s wall; per start median "
          f"{st['time_s'].median():.1f} s (min {st['time_s'].min():.1f}, max {st['time_s'].max():.1f}); "
          f"median {int(st['n_fev'].median())} evaluations, {int(st['n_iter'].median())} iterations")
    print(f"best f = {res.best_fval:.4f} (nominal f = {obj(x):.4f}); statuses: "
          + ", ".join(f"{k}={v}" for k, v in st['status'].value_counts().items()))


if __name__ == "__main__":
    main()
