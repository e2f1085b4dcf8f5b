"""Fit each ATP-competitive PI3K/AKT/mTOR inhibitor's cellular potency factor to the HMS LINCS GR50s.

The drug catalogue gives target-level potencies (biochemical IC50s, several of them assumed). In the
model's cells those made the ATP-competitive inhibitors 3-60x more potent than the measured growth
response (docs/design/kinase-inhibitor-potency.md): biochemical assays run at low ATP (Cheng-Prusoff:
IC50 = Ki (1 + [ATP]/Km)), culture medium binds drug, and the network and fate layers turn target
inhibition into growth inhibition. One factor per drug multiplies all of that drug's target potencies
(so isoform selectivity is kept): ``Drug.potency_factor`` in ``biology/data/drugs.yaml``.

Because every target potency is multiplied by the same factor, the model's dose-response curve moves
along the dose axis by exactly that factor, so the model's GR50 is proportional to it and the fit is
closed-form: the new factor is the current one divided by the geometric mean, over the training lines,
of model GR50 / measured GR50. Lines are those of the fate fit's split (every third line held out,
:func:`mtorsim.fate._calibrate.holdout_lines`); lines where either GR50 is not finite (the measured one
outside the tested doses 1 nM-10 uM, where GRmetrics extrapolates its fitted curve, or the model never
reaching GR = 0.5) do not enter. The model's GR50 is read
from its GR curve on a wide dose grid (log-linear interpolation at the first crossing of 0.5), so a
curve already below 0.5 at 1 nM still has a number.

Rerun with ``mtorsim calibrate-defaults --layer potency --out DIR``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .._errors import InputError
from ..evidence._screens import GR50_TESTED_RANGE_NM as PANEL_RANGE_NM

#: drug classes whose potency factor is fitted when the panel has the drug (without panel data it stays 1)
FITTED_CLASSES = ("pi3k_inhibitor", "akt_inhibitor", "mtor_kinase_inhibitor", "dual_pi3k_mtor")
#: target slots of the ATP site (an allosteric AKT inhibitor such as MK-2206 is not shifted)
ATP_SITE_SLOTS = frozenset({"pi3k_alpha", "pi3k_beta", "mtor_kinase", "akt_catalytic"})
#: the model's dose grid for the GR50 (nM): wide enough that shifted curves still cross 0.5 inside it
WIDE_DOSES_NM = tuple(np.logspace(-3, 6, 37))


def crossing_dose(doses: np.ndarray, gr: np.ndarray, level: float = 0.5) -> float:
    """First dose at which ``gr`` falls to ``level`` (log-linear interpolation); NaN if it never does."""
    doses, gr = np.asarray(doses, float), np.asarray(gr, float)
    below = np.nonzero(gr <= level)[0]
    if len(below) == 0:
        return float("nan")
    i = int(below[0])
    if i == 0:
        return float(doses[0]) if gr[0] == level else float("nan")
    x0, x1, y0, y1 = np.log(doses[i - 1]), np.log(doses[i]), gr[i - 1], gr[i]
    return float(np.exp(x0 + (level - y0) * (x1 - x0) / (y1 - y0)))


def model_gr50(cells, drug: str, *, hours: float = 72.0, progress: bool = False) -> pd.Series:
    """The model's GR50 (nM) per line for ``drug`` with the catalogue's current potencies.

    The dose grid is :data:`WIDE_DOSES_NM` times the drug's current ``potency_factor``, i.e. fixed in
    units of the target-level potencies, so which lines have a finite GR50 does not depend on the factor
    and refitting from the fitted factor returns it."""
    from ..biology import get_drug
    from ..response import dose_response
    doses = np.asarray(WIDE_DOSES_NM) * get_drug(drug).potency_factor
    res = dose_response(list(cells), drug, doses=doses, hours=hours, progress=progress)
    gr = res.data["GR"].sel(drug=res.data.drug.values[0])
    return pd.Series({c: crossing_dose(doses, gr.sel(cell=c).values) for c in gr.cell.values}, name="GR50_nM_model")


@dataclass
class PotencyFit:
    """Per drug: current and fitted factor, GR50 ratios on training and held-out lines (``table``);
    per line: measured and model GR50 at the current factor (``lines``)."""

    table: pd.DataFrame
    lines: pd.DataFrame

    def save(self, out: str | Path) -> Path:
        """``potency_fit.csv`` and ``potency_lines.csv`` (atomic), each with a JSON sidecar of units and versions."""
        from .._io import write_result
        from .._version import versions
        out = Path(out)
        out.mkdir(parents=True, exist_ok=True)
        for df in (self.table, self.lines):
            df.attrs.update({f"version_{k}": v for k, v in versions().items()})
        write_result(self.lines, out / "potency_lines.csv")
        return write_result(self.table, out / "potency_fit.csv")


def _geomean(x) -> float:
    x = np.asarray(x, float)
    return float(np.exp(np.mean(np.log(x)))) if len(x) else float("nan")


def calibrate_potency(*, drugs=None, data_path: str | Path | None = None, progress: bool = False) -> PotencyFit:
    """Fit ``potency_factor`` for the panel's ATP-competitive PI3K/AKT/mTOR inhibitors (or ``drugs``).

    Measured GR50s: replicate geometric means of the values inside the tested doses per line and drug in the HMS LINCS
    breast panel (``shared/data/response/hmslincs_brca_grmetrics_pathway.csv``)."""
    from ..biology import get_drug
    from ..evidence._screens import lincs_table
    from ..fate._calibrate import holdout_lines
    root = Path(data_path) if data_path is not None else None
    meas = lincs_table(root / "response" / "hmslincs_brca_grmetrics_pathway.csv" if root else None)
    held = set(holdout_lines(meas["cell"].unique()))
    if drugs is None:
        drugs = sorted(d for d in meas["drug"].unique() if is_fitted_drug(d))
    rows, line_rows = [], []
    for name in drugs:
        d = get_drug(name)
        g = meas[meas["drug"] == d.name]
        if g.empty:
            raise InputError("drugs", name, "a drug of the HMS LINCS breast panel (" + ", ".join(sorted(meas["drug"].unique())) + ")")
        lo, hi = PANEL_RANGE_NM
        fin = g[np.isfinite(g["GR50_nM"]) & (g["GR50_nM"] >= lo) & (g["GR50_nM"] <= hi)]
        m = fin.groupby("cell")["GR50_nM"].apply(_geomean)
        model = model_gr50(sorted(g["cell"].unique()), d.name, progress=progress)
        lines = pd.DataFrame({"GR50_nM_measured": m}).join(model, how="outer")
        lines["held_out"] = lines.index.isin(held)
        lines["ratio"] = lines["GR50_nM_model"] / lines["GR50_nM_measured"]
        both = lines.dropna(subset=["ratio"])
        train, test = both[~both["held_out"]], both[both["held_out"]]
        shift = _geomean(train["ratio"])
        fitted = d.potency_factor / shift
        rows.append({"drug": d.name, "drug_class": d.drug_class, "n_lines": len(lines), "n_train_finite": len(train),
                     "n_held_out_finite": len(test), "factor_current": d.potency_factor, "factor_fitted": fitted,
                     "ratio_train_current": shift, "ratio_held_out_current": _geomean(test["ratio"]),
                     "ratio_held_out_fitted": _geomean(test["ratio"]) / shift,
                     "spread_train_gsd": float(np.exp(np.std(np.log(train["ratio"])))) if len(train) > 1 else float("nan")})
        line_rows.append(lines.reset_index(names="cell").assign(drug=d.name))
    table = pd.DataFrame(rows)
    table.attrs["units"] = {"factor_current": "1", "factor_fitted": "1", "ratio_*": "model GR50 / measured GR50 (geometric mean)"}
    return PotencyFit(table=table, lines=pd.concat(line_rows, ignore_index=True) if line_rows else pd.DataFrame())


def is_fitted_drug(name) -> bool:
    """An ATP-competitive PI3K/AKT/mTOR inhibitor (every target at the ATP site)."""
    from ..biology import get_drug
    d = get_drug(name)
    return d.drug_class in FITTED_CLASSES and bool(d.targets) and all(t.slot in ATP_SITE_SLOTS for t in d.targets)


__all__ = ["ATP_SITE_SLOTS", "FITTED_CLASSES", "PotencyFit", "calibrate_potency", "crossing_dose", "is_fitted_drug", "model_gr50"]
