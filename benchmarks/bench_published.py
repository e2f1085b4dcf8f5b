"""Published models: mtorsim's generic SBML path vs bare libRoadRunner. Usage: python bench_published.py [--n 200]"""

import argparse

from mtorsim._benchmarks import published_models

if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=200)
    for r in published_models(n=ap.parse_args().n):
        d = r.details
        print(f"{r.name}: bare {d['ms_per_sim_bare']:.3f} ms/sim, simulate_many(model=) "
              f"{d.get('ms_per_sim_simulate_many', float('nan')):.3f} ms/sim (ratio {r.ratio:.3f}), SbmlModel.simulate "
              f"{d.get('ms_per_sim_mtorsim', float('nan')):.3f} ms/sim (ratio {d.get('ratio_sbmlmodel_simulate', float('nan')):.3f})")
