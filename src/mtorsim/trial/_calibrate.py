"""The two tumour parameters fitted to a trial: the median untreated doubling time and the cell-loss
factor, fitted to the control arm of BOLERO-2 only (exemestane after a non-steroidal AI: median PFS
3.2 months, A03; CBR 22.2 % and ORR 2.1 %, A06), with the patients' spread of the cell-loss factor
(``cell_loss_factor_logit_sd``, assumed) held fixed. Everything else in the trial layer is mechanistic or
assumed, so the everolimus arm of BOLERO-2 and the other built-in trials are predictions.
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
