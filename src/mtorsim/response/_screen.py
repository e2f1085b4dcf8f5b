"""Virtual screens: dose-response of cell lines to drugs, and two-drug combination grids, from the
network and the cell-fate layer (72-h plate assays), fitted with :class:`HillFit` and :class:`GRFit`.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
import xarray as xr

from .._errors import InputError
from .._units import format_concentration, parse_concentration
from .._version import versions
from ..biology import cell_names, get_cell, get_drug
from ..fate import FateParameters
from ..fate._assay import ASSAY_HOURS
from ._gr import GRFit
from ._hill import FitConvergenceWarning, HillFit
from ._synergy import SYNERGY_METHODS, synergy

DEFAULT_DOSES_NM = tuple(np.logspace(-1, 4, 9))   # 0.1 nM .. 10 µM, half-log steps (the LINCS design)


def parse_dose_range(text: str | None, n: int = 9, *, field: str = "doses") -> np.ndarray:
    """``"0.1nM..10uM"`` → ``n`` log-spaced doses in nM; ``"1,10,100nM"`` → explicit doses."""
    if text is None:
        return np.logspace(-1, 4, n) if n != len(DEFAULT_DOSES_NM) else np.array(DEFAULT_DOSES_NM)
    s = str(text).strip()
    if ".." in s:
        lo_s, hi_s = s.split("..", 1)
        unit_hi = re.sub(r"^[-+0-9.eE\s]+", "", hi_s)
        lo = parse_concentration(lo_s if re.search(r"[A-Za-zµ]", lo_s) else lo_s + unit_hi, field=field)
        hi = parse_concentration(hi_s, field=field)
        if not (0 < lo < hi):
            raise InputError(field, text, "a range LOW..HIGH with 0 < LOW < HIGH, e.g. 0.1nM..10uM")
        if not (isinstance(n, int) and n >= 2):
            raise InputError("n_doses", n, "an integer >= 2")
        return np.logspace(np.log10(lo), np.log10(hi), n)
    parts = [p for p in s.split(",") if p.strip()]
    if not parts:
        raise InputError(field, text, "a range LOW..HIGH or a comma-separated list of doses")
    unit = re.sub(r"^[-+0-9.eE\s]+", "", parts[-1])
    doses = np.array([parse_concentration(p if re.search(r"[A-Za-zµ]", p) else p + unit, field=field) for p in parts])
    if np.any(doses <= 0) or len(doses) < 2:
        raise InputError(field, text, "at least two positive doses")
    return np.sort(doses)


def _cells(cells) -> list[str]:
    if cells is None or (isinstance(cells, str) and cells.lower() == "all"):
        return cell_names()
    if isinstance(cells, str):
        cells = [c for c in cells.split(",") if c.strip()]
    return [get_cell(c).name for c in cells]


def _drugs(drugs) -> list[str]:
    if isinstance(drugs, str):
        drugs = [d for d in drugs.split(",") if d.strip()]
    if not drugs:
        raise InputError("drugs", drugs, "at least one drug name")
    return [get_drug(d).name for d in drugs]


def run_wells(wells: pd.DataFrame, *, hours: float = ASSAY_HOURS, medium: str = "full", fate: FateParameters = FateParameters(),
              backend: str = "auto", n_workers: int | None = None, out=None, resume: bool = True, progress: bool = False,
              n_points: int = 25, parameter_sets: dict[str, dict[str, float]] | None = None) -> pd.DataFrame:
    """Simulate plate wells (``cell`` and ``drugs`` columns) with :func:`mtorsim.simulate_many` — in parallel,
    streamed to ``out`` and resumable — and turn the signals into viability and GR with the fate layer.

    Cells are kept in full medium, then switched at t = 0 to ``medium`` with the drugs; the control of
    each well is the same line untreated in the same medium (and with the same parameter set). With
    ``parameter_sets`` ({id: {model parameter: value}}), a ``parameter_set`` column names each well's
    network parameters (e.g. members of a posterior ensemble; see ``calibrate.predict_bands``).
    """
    import math

    from ..biology import Medium, Treatment
    from ..fate import cyclin_d1_independence, doubling_time_h, rates
    from ..fate._fate import cell_numbers
    from ..simulate import simulate_many

    med = Medium(medium) if isinstance(medium, str) else medium
    with_sets = parameter_sets is not None
    if with_sets and "parameter_set" not in wells:
        raise InputError("wells", list(wells.columns), "a parameter_set column when parameter_sets are given")
    table = wells[["cell", "drugs"] + (["parameter_set"] if with_sets else [])].copy()
    in_full = med == Medium("full")
    if not in_full:   # controls in the same medium (per line and parameter set)
        keys = ["cell", "parameter_set"] if with_sets else ["cell"]
        ctrl = table[keys].drop_duplicates().sort_values(keys).assign(drugs="")
        table = pd.concat([table, ctrl], ignore_index=True)
    table["medium"] = med.preset if med == Medium(med.preset) else med.label
    if not isinstance(medium, str) and med != Medium(med.preset):
        raise InputError("medium", med.label, "a medium preset name for screens (full, charcoal_stripped, serum_free)")
    table["preequilibration_medium"] = "full"
    t = np.linspace(0.0, hours, n_points)
    sig = simulate_many(table, times=t, normalize="cell", backend=backend, n_workers=n_workers, out=out, resume=resume,
                        progress=progress, **({"parameter_sets": parameter_sets} if with_sets else {}))
    td = xr.DataArray([doubling_time_h(c)[0] for c in table["cell"]], dims="condition", coords={"condition": sig.condition})
    mt = []
    for drugs in table["drugs"]:
        u = Treatment.make([d for d in str(drugs).split(";") if d.strip()]).slot_inputs(0.0)
        x, h = u.get("u_microtubule", 0.0), u.get("h_microtubule", 1.0)
        mt.append(x ** h / (1 + x ** h))
    mt = xr.DataArray(mt, dims="condition", coords={"condition": sig.condition})
    phi = xr.DataArray([cyclin_d1_independence(c, fate) for c in table["cell"]], dims="condition", coords={"condition": sig.condition})
    r = rates(sig[["cyclinD1", "translation", "survival"]], doubling_time=td, microtubule_effect=mt, params=fate, cd1_independent=phi)
    n_end = cell_numbers(r).isel(time=-1).values
    status = sig["status"].values if "status" in sig else np.array(["ok"] * len(table))
    n_end = np.where(status == "failed", np.nan, n_end)
    if in_full:
        n_ctrl = np.exp((math.log(2) / td.values - fate.r_apo0) * hours)
    else:
        ks = list(zip(table["cell"], table["parameter_set"] if with_sets else [None] * len(table)))
        ctrl_n = {k: n for k, n, d in zip(ks, n_end, table["drugs"]) if d == ""}
        n_ctrl = np.array([ctrl_n[k] for k in ks])
    with np.errstate(divide="ignore", invalid="ignore"):
        gr = np.where(n_end > 0, 2 ** (np.log2(n_end) / np.log2(n_ctrl)) - 1, -1.0)
    gr = np.where(n_ctrl > 1, gr, np.nan)
    res = table.assign(viability=n_end / n_ctrl, GR=gr, relative_cell_number=n_end, status=status)
    return res.iloc[: len(wells)].reset_index(drop=True)


@dataclass(frozen=True)
class DoseResponseResult:
    """Per-well values (``data``: viability and GR over dose, cell line, drug) and fitted metrics
    (``metrics``: one row per cell line × drug, with fit status and range flags)."""

    data: xr.Dataset
    metrics: pd.DataFrame


def _fit_metrics(doses: np.ndarray, viability: np.ndarray, gr: np.ndarray) -> dict:
    row: dict = {}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", FitConvergenceWarning)
        h = HillFit(fix_e0=1.0).fit(doses, viability)
        g = GRFit().fit(doses, gr)
    row.update({"IC50_nM": h.ic50_, "IC50_flag": h.censoring_.get("ic50", ""), "Emax": h.emax_, "AUC": h.auc_,
                "hill": h.hill_, "hill_fit": h.status_,
                "GR50_nM": g.gr50_, "GR50_flag": g.censoring_.get("gr50", ""), "GRmax": g.gr_max_, "GR_AOC": g.gr_aoc_,
                "GEC50_nM": g.gec50_, "GRinf": g.grinf_, "GR_fit": g.fit_type_,
                "fit_warnings": "; ".join(str(w.message) for w in caught)})
    return row


def dose_response(cells="MCF7", drugs="everolimus", *, doses=None, n_doses: int = 9, hours: float = ASSAY_HOURS,
                  medium: str = "full", fate: FateParameters = FateParameters(), progress: bool = False,
                  backend: str = "auto", n_workers: int | None = None, out=None, resume: bool = True) -> DoseResponseResult:
    """Virtual single-drug screen: viability and GR over dose, with Hill and GR fits.

    Parameters
    ----------
    cells : a name, a comma-separated string, a list, or ``"all"``.
    drugs : a name, a comma-separated string or a list.
    doses : ``"0.1nM..10uM"`` (log-spaced, ``n_doses`` of them), ``"1,10,100nM"``, or an array in nM.
    hours : assay length (default 72 h).
    backend, n_workers : how :func:`mtorsim.simulate_many` runs the wells (``auto``: serial up to 256 wells,
        then a pool of local processes; ``dask``).
    out : folder to stream the wells' signals to; an interrupted screen rerun with the same ``out``
        resumes without recomputing finished chunks.

    Returns
    -------
    DoseResponseResult
        ``data`` (xarray: viability, GR over cell × drug × dose_nM) and ``metrics`` (IC50, Emax, AUC,
        GR50, GRmax, GEC50, GR_AOC with flags; values beyond the tested doses are NaN with a flag).
    """
    cell_list, drug_list = _cells(cells), _drugs(drugs)
    dose_arr = parse_dose_range(doses, n_doses) if doses is None or isinstance(doses, str) else np.asarray(doses, float)
    if dose_arr.ndim != 1 or len(dose_arr) < 2 or np.any(~np.isfinite(dose_arr)) or np.any(dose_arr <= 0):
        raise InputError("doses", doses, "at least two positive, finite doses")
    shape = (len(cell_list), len(drug_list), len(dose_arr))
    wells = pd.DataFrame([{"cell": c, "drugs": f"{d}={float(x)!r}nM"} for c in cell_list for d in drug_list for x in dose_arr])
    res = run_wells(wells, hours=hours, medium=medium, fate=fate, backend=backend, n_workers=n_workers, out=out,
                    resume=resume, progress=progress)
    via = res["viability"].to_numpy().reshape(shape)
    gr = res["GR"].to_numpy().reshape(shape)
    data = xr.Dataset({"viability": (("cell", "drug", "dose_nM"), via, {"units": "fraction of untreated control"}),
                       "GR": (("cell", "drug", "dose_nM"), gr, {"units": "1", "definition": "Hafner et al. 2016"})},
                      coords={"cell": cell_list, "drug": drug_list, "dose_nM": ("dose_nM", dose_arr, {"units": "nM"})})
    data.attrs.update({"assay_hours": hours, "medium": medium, **{f"version_{k}": v for k, v in versions().items()}})
    rows = []
    for c in cell_list:
        for d in drug_list:
            v = data["viability"].sel(cell=c, drug=d).values
            g = data["GR"].sel(cell=c, drug=d).values
            rows.append({"cell": c, "drug": d, **_fit_metrics(dose_arr, v, g)})
    metrics = pd.DataFrame(rows)
    metrics.attrs["units"] = {"IC50_nM": "nM", "GR50_nM": "nM", "GEC50_nM": "nM"}
    return DoseResponseResult(data, metrics)


@dataclass(frozen=True)
class CombinationResult:
    """The response surface (viability and GR over the two doses) and synergy by each method."""

    surface: xr.Dataset
    synergy: dict
    scores: pd.DataFrame


def combination(cell: str = "MCF7", drugs=("everolimus", "fulvestrant"), *, doses_a=None, doses_b=None, grid: int = 7,
                hours: float = ASSAY_HOURS, medium: str = "full", methods=SYNERGY_METHODS,
                fate: FateParameters = FateParameters(), progress: bool = False, backend: str = "auto",
                n_workers: int | None = None, out=None, resume: bool = True) -> CombinationResult:
    """Two-drug combination screen on a ``grid × grid`` dose grid (zero dose included for each drug),
    with synergy by Bliss, HSA, Loewe and ZIP on the viability scale."""
    drug_list = _drugs(drugs)
    if len(drug_list) != 2:
        raise InputError("drugs", drugs, "exactly two drugs")
    if not (isinstance(grid, int) and grid >= 4):
        raise InputError("grid", grid, "an integer >= 4 (Loewe and ZIP fit each drug alone: 3 non-zero doses and zero)")
    c = get_cell(cell).name
    da = parse_dose_range(doses_a, grid - 1, field="doses_a") if doses_a is None or isinstance(doses_a, str) else np.asarray(doses_a, float)
    db = parse_dose_range(doses_b, grid - 1, field="doses_b") if doses_b is None or isinstance(doses_b, str) else np.asarray(doses_b, float)
    da, db = np.concatenate([[0.0], da]), np.concatenate([[0.0], db])
    wells = []
    for a in da:
        for b in db:
            ds = ([f"{drug_list[0]}={float(a)!r}nM"] if a > 0 else []) + ([f"{drug_list[1]}={float(b)!r}nM"] if b > 0 else [])
            wells.append({"cell": c, "drugs": "; ".join(ds)})
    res = run_wells(pd.DataFrame(wells), hours=hours, medium=medium, fate=fate, backend=backend, n_workers=n_workers,
                    out=out, resume=resume, progress=progress)
    via = res["viability"].to_numpy().reshape(len(da), len(db))
    grv = res["GR"].to_numpy().reshape(len(da), len(db))
    coords = {"dose_a": ("dose_a", da, {"units": "nM", "drug": drug_list[0]}), "dose_b": ("dose_b", db, {"units": "nM", "drug": drug_list[1]})}
    surface = xr.Dataset({"viability": (("dose_a", "dose_b"), via, {"units": "fraction of untreated control"}),
                          "GR": (("dose_a", "dose_b"), grv, {"units": "1"})}, coords=coords)
    surface.attrs.update({"cell": c, "drug_a": drug_list[0], "drug_b": drug_list[1], "assay_hours": hours,
                          **{f"version_{k}": v for k, v in versions().items()}})
    results, rows = {}, []
    for m in methods:
        r = synergy(surface["viability"], method=m, effect_scale="viability", dose_unit="nM")
        results[m] = r
        rows.append({"method": m, **r.scores.to_dict(), "null_value": r.excess.attrs["null_value"],
                     "direction": r.excess.attrs["direction"]})
    return CombinationResult(surface, results, pd.DataFrame(rows).set_index("method"))


def dose_label(nM: float) -> str:
    return format_concentration(nM)
