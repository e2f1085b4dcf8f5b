"""The tumour parameters fitted to trials, each to a control arm only:

* metastatic tumours (``tumour``): the median untreated doubling time and the cell-loss factor, fitted to
  the control arm of BOLERO-2 (exemestane after a non-steroidal AI: median PFS 3.2 months, A03; CBR
  22.2 % and ORR 2.1 %, A06), with the patients' spread of the cell-loss factor
  (``cell_loss_factor_logit_sd``, assumed) held fixed (:func:`calibrate_growth`);
* untreated primary tumours (``primary_tumour``, neoadjuvant designs): the cell-loss factor, fitted to the
  letrozole-alone arm of the neoadjuvant letrozole ± everolimus trial (clinical response 59.1 % at 4
  months, A14), with the doubling time from ultrasound measurements (Zhang et al. 2017) (:func:`calibrate_primary`).

Everything else in the trial layer is mechanistic or assumed, so the everolimus arms and the other
built-in trials are predictions.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import replace

import pandas as pd

from ._run import run_trial
from ._spec import load_spec

TARGETS = {"median_pfs_months": 3.2, "cbr": 0.222, "orr": 0.021}


def calibrate_growth(*, cell_loss=(0.1, 0.15, 0.2), doubling_days=(25.0, 30.0, 35.0), patients: int = 400,
                     seed: int = 11, population=None) -> pd.DataFrame:
    """Grid search on the BOLERO-2 control arm; returns one row per grid point with the loss
    ``(ln(median/3.2)/0.1)² + ((CBR − 0.222)/0.05)² + ((ORR − 0.021)/0.02)²``, best first."""
    spec = load_spec("bolero2")
    ctrl = replace(spec, arms=spec.arms[1:], randomisation={spec.arms[1].name: 1}, patients=patients)
    rows = []
    for phi, td in itertools.product(cell_loss, doubling_days):
        pop = {**dict(population or {}), ("tumour", "cell_loss_factor"): phi, ("tumour", "doubling_time_median_d"): td}
        r = run_trial(ctrl, seed=seed, progress=False, population=pop)
        a = r.summary["arms"][spec.arms[1].name]
        loss = (math.log(a["median_pfs_months"] / TARGETS["median_pfs_months"]) / 0.1) ** 2 + \
            ((a["cbr"] - TARGETS["cbr"]) / 0.05) ** 2 + ((a["orr"] - TARGETS["orr"]) / 0.02) ** 2
        rows.append({"cell_loss_factor": phi, "doubling_time_median_d": td, "median_pfs_months": a["median_pfs_months"],
                     "cbr": a["cbr"], "orr": a["orr"], "loss": loss})
    return pd.DataFrame(rows).sort_values("loss").reset_index(drop=True)


def calibrate_primary(*, cell_loss=(0.76, 0.78, 0.8, 0.82, 0.84), patients: int = 300, seed: int = 11,
                      population=None) -> pd.DataFrame:
    """Grid search of the primary tumours' cell-loss factor on the letrozole arm of the neoadjuvant
    trial (A14: 59.1 % clinical response at 4 months); one row per grid point, best first."""
    spec = load_spec("neoadjuvant-letrozole-everolimus")
    ctrl = replace(spec, arms=spec.arms[1:], randomisation={spec.arms[1].name: 1}, patients=patients)
    rows = []
    for phi in cell_loss:
        pop = {**dict(population or {}), ("primary_tumour", "cell_loss_factor"): phi}
        r = run_trial(ctrl, seed=seed, progress=False, population=pop)
        orr = r.summary["arms"][spec.arms[1].name]["orr"]
        rows.append({"cell_loss_factor": phi, "orr": orr, "loss": abs(orr - 0.591)})
    return pd.DataFrame(rows).sort_values("loss").reset_index(drop=True)
