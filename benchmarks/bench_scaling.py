"""Throughput with 1 and 2 local workers and a 2-worker Dask LocalCluster vs serial. Usage: python bench_scaling.py [--n 10000] [--no-dask]"""

import argparse

from mtorsim._benchmarks import scaling

if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=10_000)
    ap.add_argument("--no-dask", action="store_true")
    a = ap.parse_args()
    r = scaling(n=a.n, dask=not a.no_dask)
    for k, v in r.details.items():
        print(f"{k:36s} {v:.4g}" if isinstance(v, float) else f"{k:36s} {v}")
    print(f"parallel efficiency, 2 processes: {r.ratio:.3f} (goal >= 0.9)")
