"""Median clinical exposures for the probe scripts of this folder (s6_probes.py, s7_esr1_surfaces.py)."""
import numpy as np
from mtorsim.trial._run import drug_exposure


def median_exposure(drug, regimen, n, days, lo, hi, rng):
    """Median over ``n`` virtual patients of the daily tumour concentration (nM) between days ``lo`` and ``hi``;
    for exemestane the oestradiol fraction instead."""
    key = "estradiol_fraction" if drug == "exemestane" else "tumour_nM"
    return float(np.median([drug_exposure(drug, regimen, days, rng)[key][lo:hi] for _ in range(n)]))


def clinical_exposures(n_fulvestrant=40, tamoxifen=False, seed=0):
    """Median exposures of the probes, drawn in this order from one generator: fulvestrant 500 and 250 mg (tumour nM,
    days 90-180), exemestane (oestradiol fraction) and everolimus 10 mg (nM, days 30-60), tamoxifen 20 mg (days
    150-200) if asked; printed as the scripts always did."""
    rng = np.random.default_rng(seed)
    out = {"F500": median_exposure("fulvestrant", "500 mg im on days 1,15,29 then every 28 days", n_fulvestrant, 200, 90, 180, rng),
           "F250": median_exposure("fulvestrant", "250 mg im every 28 days", n_fulvestrant, 200, 90, 180, rng),
           "E2frac": median_exposure("exemestane", "25 mg daily", 20, 60, 30, 60, rng),
           "EVE": median_exposure("everolimus", "10 mg daily", 20, 60, 30, 60, rng)}
    if tamoxifen:
        out["TAM"] = median_exposure("tamoxifen", "20 mg daily", 20, 200, 150, 200, rng)
    print("exposures " + " ".join(f"{k} {v:.3f}" if k.startswith(("F", "E2")) else f"{k} {v:.2f}" for k, v in out.items()))
    return out
