"""Wall time of the issue-4 screens: a 15-line × 10-drug × 9-dose panel and 7×7 grids on 5 lines,
serial vs a pool of local processes, measured side by side in this run (never asserted in tests).

    python benchmarks/bench_screen.py [--workers 2]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time

from mtorsim import combination, dose_response

LINES = ["MCF7", "T47D", "ZR-75-1", "CAMA-1", "BT-474", "SK-BR-3", "MDA-MB-361", "MDA-MB-453", "HCC1954", "MDA-MB-231",
         "MDA-MB-468", "BT-549", "HCC1937", "Hs 578T", "CAL-51"]
DRUGS = ["everolimus", "sirolimus", "torin2", "sapanisertib", "alpelisib", "buparlisib", "capivasertib", "ipatasertib",
         "fulvestrant", "paclitaxel"]
COMBO_LINES = ["MCF7", "T47D", "BT-474", "MDA-MB-231", "MDA-MB-468"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    args = ap.parse_args()
    rows = []
    for backend, n in (("serial", 1), ("processes", args.workers)):
        with tempfile.TemporaryDirectory() as tmp:
            t = time.perf_counter()
            dose_response(LINES, DRUGS, doses="1nM..10uM", n_doses=9, backend=backend, n_workers=n, out=f"{tmp}/panel")
            t_panel = time.perf_counter() - t
            t = time.perf_counter()
            for c in COMBO_LINES:
                combination(c, ["everolimus", "fulvestrant"], grid=7, backend=backend, n_workers=n, out=f"{tmp}/{c}")
            t_combo = time.perf_counter() - t
            # resume: the same panel again from its work folder computes nothing new
            t = time.perf_counter()
            dose_response(LINES, DRUGS, doses="1nM..10uM", n_doses=9, backend=backend, n_workers=n, out=f"{tmp}/panel")
            t_resume = time.perf_counter() - t
        rows.append((backend, n, t_panel, t_combo, t_resume))
        print(f"{backend:10s} workers={n}: panel 15x10x9 = 1350 wells {t_panel:6.1f} s | 5 x 7x7 grids {t_combo:6.1f} s | "
              f"panel resumed from disk {t_resume:5.1f} s", flush=True)
    s, p = rows[0], rows[1]
    print(f"load average {os.getloadavg()[0]:.1f}; speed-up with {p[1]} processes: panel {s[2] / p[2]:.2f}x, grids {s[3] / p[3]:.2f}x; "
          f"resume/fresh {p[4] / p[2]:.2f}")


if __name__ == "__main__":
    main()
