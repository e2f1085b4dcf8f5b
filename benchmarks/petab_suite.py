"""Run the whole PEtab v1 conformance suite through ``mtorsim.calibrate.evaluate_petab``.

Usage::

    python benchmarks/petab_suite.py [SUITE_DIR]

SUITE_DIR defaults to ``<shared data>/peer-tests/petab_test_suite_v1/sbml`` (PEtab-dev/petab_test_suite
@bc28d0a, ``petabtests/cases/v1.0.0/sbml``). For each case the simulation table, χ² and the
log-likelihood are compared with ``_NNNN_solution.yaml`` within its tolerances; the script prints
one line per case, the passed/failed counts with the reasons, and exits non-zero if any case fails.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from mtorsim._data import data_dir
from mtorsim.calibrate import evaluate_petab


def check_case(case: Path) -> tuple[bool, str, float]:
    """Evaluate one case; return (passed, reason, seconds)."""
    sol = yaml.safe_load((case / f"_{case.name}_solution.yaml").read_text())
    t0 = time.perf_counter()
    try:
        res = evaluate_petab(case / f"_{case.name}.yaml")
    except Exception as exc:  # report every failure, whatever it is
        return False, f"{type(exc).__name__}: {exc}", time.perf_counter() - t0
    seconds = time.perf_counter() - t0
    if not res.ok:
        return False, "; ".join(res.conditions.loc[res.conditions["status"] != "ok", "message"]), seconds
    expected = pd.concat([pd.read_csv(case / f, sep="\t") for f in sol["simulation_files"]], ignore_index=True)
    problems = []
    if len(expected) != len(res.simulations):
        problems.append(f"{len(res.simulations)} simulated rows, {len(expected)} expected")
    else:
        got, want = res.simulations["simulation"].to_numpy(float), expected["simulation"].to_numpy(float)
        diff = float(np.max(np.abs(got - want)))
        if not diff <= sol["tol_simulations"]:
            problems.append(f"simulations differ by {diff:.3g} (tolerance {sol['tol_simulations']})")
    if not abs(res.chi2 - sol["chi2"]) <= sol["tol_chi2"]:
        problems.append(f"chi2 {res.chi2:.8g} vs {sol['chi2']:.8g}")
    if not abs(res.llh - sol["llh"]) <= sol["tol_llh"]:
        problems.append(f"llh {res.llh:.8g} vs {sol['llh']:.8g}")
    return not problems, "; ".join(problems), seconds


def main(argv: list[str]) -> int:
    if len(argv) > 1:
        suite = Path(argv[1])
    else:
        root = data_dir(required=True)
        suite = root / "peer-tests" / "petab_test_suite_v1" / "sbml"
    cases = sorted(p for p in suite.iterdir() if p.is_dir())
    t0 = time.perf_counter()
    failed: dict[str, str] = {}
    for case in cases:
        ok, reason, seconds = check_case(case)
        print(f"{case.name}  {'pass' if ok else 'FAIL'}  {seconds * 1000:7.1f} ms  {reason}")
        if not ok:
            failed[case.name] = reason
    total = time.perf_counter() - t0
    print(f"\n{len(cases) - len(failed)} passed, {len(failed)} failed of {len(cases)} cases in {total:.1f} s")
    for name, reason in failed.items():
        print(f"  {name}: {reason}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
