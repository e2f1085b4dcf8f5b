"""mtorsim's per-simulation cost vs a bare libRoadRunner loop (goal <= 1.2x). Usage: python bench_overhead.py [--n 1000]"""

import argparse

from mtorsim._benchmarks import overhead

if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=1000)
    r = overhead(n=ap.parse_args().n)
    d = r.details
    print(f"bare roadrunner {d['ms_per_sim_bare']:.3f} ms/sim, mtorsim {d['ms_per_sim_mtorsim']:.3f} ms/sim, "
          f"max |difference| {d['max_abs_difference']:.3g}")
    print(f"overhead ratio {r.ratio:.3f} (goal <= 1.2)")
