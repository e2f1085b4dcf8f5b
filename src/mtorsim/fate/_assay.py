"""A plate assay in silico: a cell line under drugs for an assay's time course → cell numbers,
viability and GR; and the phenotypes (growth-factor independence, endocrine resistance)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ..biology import CellLine, Medium, get_cell
from ..simulate import simulate
from ._fate import FateParameters, cell_numbers, cyclin_d1_independence, doubling_time_h, microtubule_effect, rates

ASSAY_HOURS = 72.0


def _microtubule_effect(drugs) -> float:
    """:func:`microtubule_effect` of a plate's drugs (as written for :func:`mtorsim.simulate.simulate`) at t = 0."""
    from ..biology import Treatment
    conc: dict[str, float] = {}
    for d in Treatment.make(drugs).doses:
        if d.start_h <= 0.0 and (d.stop_h is None or d.stop_h > 0.0):
            conc[d.drug.name] = conc.get(d.drug.name, 0.0) + d.concentration_nM
    return float(microtubule_effect(conc))


def _numbers(c: CellLine, drugs, hours: float, medium, params: FateParameters, n_points: int):
    td, _ = doubling_time_h(c)
    sig = simulate(c, drugs=drugs, medium=medium, hours=hours, n_points=n_points, normalize="cell",
                   preequilibration_medium="full")
    r = rates(sig, doubling_time=td, microtubule_effect=_microtubule_effect(drugs), params=params,
              cd1_independent=cyclin_d1_independence(c, params))
    return cell_numbers(r), r


def assay(cell: str | CellLine, drugs=(), *, hours: float = ASSAY_HOURS, medium: str | Medium = "full",
          params: FateParameters = FateParameters(), n_points: int = 25) -> dict[str, float]:
    """Simulate one well: cells kept in full medium, then switched at t = 0 to ``medium`` with ``drugs``.

    Returns viability (N/N_ctrl), GR (Hafner et al. 2016), relative cell number N/N0, G1 arrest and the
    mean apoptosis rate at the end of the assay. The control is the untreated well in the same medium
    (in full medium it grows at ln 2 / doubling time).
    """
    c = get_cell(cell)
    n, r = _numbers(c, drugs, hours, medium, params, n_points)
    n_end = float(n.isel(time=-1))
    med = medium if isinstance(medium, Medium) else Medium(medium)
    if med == Medium("full"):
        td, _ = doubling_time_h(c)
        n_ctrl = math.exp((math.log(2) / td - params.r_apo0) * hours)
    else:
        n_ctrl = float(_numbers(c, (), hours, medium, params, n_points)[0].isel(time=-1))
    if n_ctrl > 1:
        gr = 2 ** (math.log2(n_end) / math.log2(n_ctrl)) - 1 if n_end > 0 else -1.0
    else:  # the control does not grow: GR is undefined (Hafner et al. 2016 require a growing control)
        gr = float("nan")
    return {"viability": n_end / n_ctrl, "GR": gr, "relative_cell_number": n_end,
            "g1_arrest": float(r["g1_arrest"].isel(time=-1)), "apoptosis_rate_per_h": float(r["apoptosis_rate"].mean())}


PHENOTYPE_CONDITIONS = {
    "growth_factor_independence": ("serum_free", ()),
    "endocrine_resistance_deprivation": ("charcoal_stripped", ()),
    "endocrine_resistance_tamoxifen": ("full", ("4-hydroxytamoxifen=100nM",)),
    "endocrine_resistance_fulvestrant": ("full", ("fulvestrant=100nM",)),
}


def _division(cell: CellLine, medium, drugs, hours: float, params: FateParameters) -> float:
    td, _ = doubling_time_h(cell)
    sig = simulate(cell, drugs=drugs, medium=medium, times=[0.0, hours], normalize="cell",
                   preequilibration_medium=Medium("full", estradiol_nM=1.0))
    r = rates(sig, doubling_time=td, microtubule_effect=_microtubule_effect(drugs), params=params,
              cd1_independent=cyclin_d1_independence(cell, params))
    return float((r["division_rate"] - r["apoptosis_rate"]).isel(time=-1)) / (math.log(2) / td - params.r_apo0)


def phenotypes(cells=None, *, drugs=(), hours: float = 120.0, params: FateParameters = FateParameters()) -> pd.DataFrame:
    """Phenotypes per line: net proliferation under each condition relative to full medium with
    oestradiol (1 nM), after ``hours`` (default 5 days) — 1 means unaffected, 0 means no net growth.

    ``growth_factor_independence``: serum-free vs full medium; ``endocrine_resistance_*``: under
    oestrogen deprivation, 4-hydroxytamoxifen or fulvestrant. With ``drugs`` (e.g. an mTOR
    inhibitor), every condition, the reference included, also has the drugs.
    """
    from ..biology import cell_names
    if cells is None or (isinstance(cells, str) and cells.lower() == "all"):
        lines = [get_cell(n) for n in cell_names()]
    else:
        lines = [get_cell(c) for c in ([cells] if isinstance(cells, (str, CellLine)) else cells)]
    rows = []
    for c in lines:
        ref = _division(c, Medium("full", estradiol_nM=1.0), tuple(drugs), hours, params)
        row = {"cell": c.name, "proliferation_full": ref}
        for key, (med, extra) in PHENOTYPE_CONDITIONS.items():
            med_obj = Medium(med, estradiol_nM=1.0) if med == "full" else Medium(med)
            row[key] = _division(c, med_obj, tuple(drugs) + tuple(extra), hours, params) / ref if ref > 0 else np.nan
        rows.append(row)
    df = pd.DataFrame(rows).set_index("cell")
    df.attrs["units"] = "net proliferation relative to the same line in full medium with 1 nM oestradiol"
    return df
