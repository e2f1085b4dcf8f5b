"""Calibration of the sapanisertib adverse-event model (clinic/data/toxicity.yaml, ``sapanisertib``: one lumped event,
the adverse events that led to stopping sapanisertib).

Run:  PYTHONPATH=src python benchmarks/sapanisertib_toxicity.py            (simulate toxicity.yaml as it stands)
      PYTHONPATH=src python benchmarks/sapanisertib_toxicity.py --fit      (refit the scale; prints the value to write)

Populations like the two sapanisertib arms of the trial (Clin Cancer Res 2022;28:1107): 4 mg daily and 30 mg weekly
(pk_population exposures, plasma daily mean), treatment until progression (exponential, median 7.2 and 5.6 months, the
arms' published median PFS) or discontinuation for toxicity. Target: discontinuation for adverse events in 32 % and
36 % of patients; the scale is fitted to their mean (34 %), the split between the schedules is a check of the
exposure metric (the weekly dose, 28 vs 30 mg, is nearly the same).
"""

from __future__ import annotations

import numpy as np

from mtorsim.clinic import dose_levels_mg, pk_population, toxicity_exposure
from mtorsim.clinic._toxicity import _model, _simulate
from toxicity_calibration import script_entry, with_event_params      # the everolimus calibration script beside this one

DRUG = "sapanisertib"
ARMS = {"4 mg daily": (4.0, 7.2, 0.32), "30 mg weekly": (30.0, 5.6, 0.36)}   # dose, median PFS (months), discontinued
N_DAYS = 730
EVENT = "ae_leading_to_discontinuation"


def population(regimen: str, n: int, seed: int, median_pfs_months: float) -> np.ndarray:
    """Daily plasma means at the full dose (three weeks of PK, the last week tiled) on treatment days."""
    e, _ = toxicity_exposure(pk_population(DRUG, regimen, n, seed=seed, days=21, step_h=1.0))
    reps = int(np.ceil((N_DAYS - e.shape[1]) / 7)) + 1
    e = np.concatenate([e, np.tile(e[:, -7:], reps)], axis=1)[:, :N_DAYS]
    stop = np.random.default_rng(seed + 1).exponential(median_pfs_months * 30.44 / np.log(2), size=n)
    return e * (np.arange(N_DAYS)[None, :] < stop[:, None])


def discontinued(scale: float | None, xs: dict, n_rng: int, seed: int) -> dict[str, float]:
    m0 = _model(DRUG)
    model = m0 if scale is None else with_event_params(m0, {EVENT: {"scale": scale, "g34": 0.5}},
                                                        lambda ev: np.diff(ev.grade_cum, prepend=0.0))
    days = np.arange(N_DAYS, dtype=float)
    out = {}
    for regimen, x in xs.items():
        levels = tuple(dose_levels_mg(DRUG, ARMS[regimen][0]))
        out[regimen] = float(np.mean([np.mean(np.isfinite(_simulate(model, x, days, np.random.default_rng(seed + i), levels).discontinued_day))
                                      for i in range(n_rng)]))
    return out


def _table(d: dict) -> str:
    return "\n".join(f"  {r}: discontinued for AEs {v:.3f} (published {ARMS[r][2]:.2f})" for r, v in d.items())


def fit(n: int = 1000, seed: int = 2024, n_rng: int = 6) -> float:
    xs = {r: population(r, n, seed + 10 * i, a[1]) for i, (r, a) in enumerate(ARMS.items())}
    target = float(np.mean([a[2] for a in ARMS.values()]))
    lo, hi = 50.0, 5000.0            # scale (d): a larger scale, fewer events
    for _ in range(14):
        mid = float(np.sqrt(lo * hi))
        d = discontinued(mid, xs, n_rng, seed)
        if np.mean(list(d.values())) > target:
            lo = mid
        else:
            hi = mid
    scale = float(f"{np.sqrt(lo * hi):.3g}")
    print(f"fitted scale {scale:g} d (write it to toxicity.yaml); mean target {target:.2f}")
    print(_table(discontinued(scale, xs, n_rng, seed)))
    return scale


def main(n: int = 1000, seed: int = 2024, n_rng: int = 6) -> None:
    xs = {r: population(r, n, seed + 10 * i, a[1]) for i, (r, a) in enumerate(ARMS.items())}
    print(f"sapanisertib, {n} patients per schedule, PK seed {seed}, {n_rng} generator seeds (toxicity.yaml as it stands):")
    print(_table(discontinued(None, xs, n_rng, seed)))


if __name__ == "__main__":
    script_entry(fit, main)
