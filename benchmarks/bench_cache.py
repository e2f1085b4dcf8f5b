"""Pre-equilibration cache: uncached / cached on a 15-line x 10-drug x 9-dose panel. Usage: python bench_cache.py"""

from mtorsim._benchmarks import preequilibration_cache

if __name__ == "__main__":
    r = preequilibration_cache()
    for k, v in r.details.items():
        print(f"{k:14s} {v:.4g}" if isinstance(v, float) else f"{k:14s} {v}")
    print(f"cache speed-up {r.ratio:.2f}x")
