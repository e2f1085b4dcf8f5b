"""Tidy dose-response and dose-grid tables: column names, unit handling, validation.

Everything inside :mod:`mtorsim.response` computes with concentrations in nM. Units enter at
this boundary only: either as a suffix of the column name (``dose_a_nM``, ``dose_a_uM``,
``concentration_uM``) or through an explicit ``dose_unit`` argument. A column without a
unit and no ``dose_unit`` is an error, never a guess.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from .._errors import InputError

# --- column names (one place; PEtab-style constants) -------------------------------------
DOSE_A = "dose_a"
DOSE_B = "dose_b"
EFFECT = "effect"
CONCENTRATION = "concentration"
CELL_COUNT = "cell_count"
CELL_COUNT_CTRL = "cell_count__ctrl"
CELL_COUNT_TIME0 = "cell_count__time0"
GR_VALUE = "GRvalue"

CONC_UNIT = "nM"
#: Multipliers from an accepted unit to nM.
UNIT_TO_NM = {"pM": 1e-3, "nM": 1.0, "uM": 1e3, "µM": 1e3, "μM": 1e3, "mM": 1e6, "M": 1e9}
EFFECT_SCALES = ("viability", "inhibition")

_ALLOWED_UNITS = "one of pM, nM, uM (µM), mM, M"


def unit_factor(unit: str, *, field: str = "dose_unit") -> float:
    """Return the factor that converts a concentration in ``unit`` to nM."""
    if unit not in UNIT_TO_NM:
        raise InputError(field, unit, _ALLOWED_UNITS)
    return UNIT_TO_NM[unit]


def check_effect_scale(effect_scale: str) -> str:
    """Validate the effect scale name ('viability': lower = stronger; 'inhibition' = 1 - viability)."""
    if effect_scale not in EFFECT_SCALES:
        raise InputError(
            "effect_scale",
            effect_scale,
            "'viability' (fraction of control, 1 = no effect, lower = stronger) or "
            "'inhibition' (1 - viability, 0 = no effect, higher = stronger)",
        )
    return effect_scale


def to_inhibition(effect: np.ndarray | xr.DataArray, effect_scale: str):
    """Map an effect on ``effect_scale`` to inhibition (0 = no effect, higher = stronger)."""
    check_effect_scale(effect_scale)
    return 1.0 - effect if effect_scale == "viability" else effect


def from_inhibition(inhibition, effect_scale: str):
    """Inverse of :func:`to_inhibition`."""
    check_effect_scale(effect_scale)
    return 1.0 - inhibition if effect_scale == "viability" else inhibition


def concentrations_nM(values, *, unit: str = "nM", field: str = "conc") -> np.ndarray:
    """Validate concentrations (finite, >= 0) and convert them from ``unit`` to nM."""
    arr = np.asarray(values, dtype=float).ravel()
    bad = ~np.isfinite(arr) | (arr < 0)
    if bad.any():
        raise InputError(field, arr[bad][:5].tolist(), "finite, non-negative concentrations")
    return arr * unit_factor(unit, field=f"{field} unit")


def finite_effects(values, *, n: int, field: str = "effect") -> np.ndarray:
    """Validate a vector of ``n`` finite effect values."""
    arr = np.asarray(values, dtype=float).ravel()
    if arr.size != n:
        raise InputError(field, f"{arr.size} values", f"one value per concentration ({n})")
    if not np.isfinite(arr).all():
        raise InputError(field, arr[~np.isfinite(arr)][:5].tolist(), "finite numbers (drop missing wells first)")
    return arr


_SUFFIX = re.compile(r"^(?P<base>.+?)_(?P<unit>pM|nM|uM|µM|μM|mM|M)$")


def _find_column(df: pd.DataFrame, base: str, dose_unit: str | None) -> tuple[str, float]:
    """Find the column for ``base`` (bare or with a unit suffix) and its factor to nM."""
    hits = []
    for col in df.columns:
        m = _SUFFIX.match(str(col))
        if m and m.group("base") == base:
            hits.append((col, UNIT_TO_NM[m.group("unit")]))
    if base in df.columns:
        if dose_unit is None:
            if not hits:
                raise InputError(
                    "dose_unit",
                    None,
                    f"column {base!r} has no unit: name it {base}_nM / {base}_uM or pass dose_unit= ({_ALLOWED_UNITS})",
                )
        else:
            return base, unit_factor(dose_unit)
    if len(hits) == 1:
        col, f = hits[0]
        if dose_unit is not None and unit_factor(dose_unit) != f:
            raise InputError("dose_unit", dose_unit, f"must agree with the unit in column name {col!r} (or be omitted)")
        return col, f
    if len(hits) > 1:
        raise InputError("columns", [h[0] for h in hits], f"exactly one concentration column for {base}")
    raise InputError("columns", list(df.columns), f"a column {base!r}, {base}_nM or {base}_uM")


def dose_grid(
    data: pd.DataFrame | xr.DataArray,
    *,
    effect_scale: str,
    dose_unit: str | None = None,
    effect_column: str = EFFECT,
) -> xr.DataArray:
    """Validate a two-drug dose grid and return it as a labelled DataArray in nM.

    Parameters
    ----------
    data : pandas.DataFrame or xarray.DataArray
        Either a tidy table with one row per well and columns ``dose_a``, ``dose_b`` and
        ``effect`` (dose columns may carry their unit as a suffix: ``dose_a_uM``), or a
        DataArray with dims ``(dose_a, dose_b)`` whose coordinates are the doses
        (coordinate attribute ``units`` or ``dose_unit`` gives their unit). Replicate wells
        are averaged.
    effect_scale : {'viability', 'inhibition'}
        What ``effect`` means. Viability: fraction of untreated control (1 = no effect,
        lower = stronger). Inhibition: ``1 - viability``.
    dose_unit : str, optional
        Unit of unit-less dose columns/coordinates (pM, nM, uM, mM, M).
    effect_column : str
        Name of the effect column of a tidy table.

    Returns
    -------
    xarray.DataArray
        The effect (on the given scale) with dims ``(dose_a, dose_b)``, doses in nM sorted
        ascending, attrs ``effect_scale`` and ``n_replicates``; coordinates carry
        ``units='nM'``.

    Raises
    ------
    InputError
        Missing columns or units, negative doses, non-finite effects, a grid with holes, or
        a grid without single-drug rows (``dose_b == 0``) and columns (``dose_a == 0``):
        monotherapy must be measured, never inferred.
    """
    check_effect_scale(effect_scale)
    if isinstance(data, xr.DataArray):
        if set(data.dims) != {DOSE_A, DOSE_B}:
            raise InputError("data.dims", tuple(data.dims), "exactly ('dose_a', 'dose_b')")
        da = data.transpose(DOSE_A, DOSE_B)
        factors = []
        for dim in (DOSE_A, DOSE_B):
            unit = da[dim].attrs.get("units", dose_unit)
            if unit is None:
                raise InputError("dose_unit", None, f"coordinate {dim!r} has no 'units' attribute; pass dose_unit= ({_ALLOWED_UNITS})")
            factors.append(unit_factor(unit))
        a = concentrations_nM(da[DOSE_A].values, field=DOSE_A) * factors[0]
        b = concentrations_nM(da[DOSE_B].values, field=DOSE_B) * factors[1]
        df = pd.DataFrame(
            {DOSE_A: np.repeat(a, b.size), DOSE_B: np.tile(b, a.size), EFFECT: np.asarray(da.values, float).ravel()}
        )
    elif isinstance(data, pd.DataFrame):
        col_a, fa = _find_column(data, DOSE_A, dose_unit)
        col_b, fb = _find_column(data, DOSE_B, dose_unit)
        if effect_column not in data.columns:
            raise InputError("effect_column", effect_column, f"a column of the table: {list(data.columns)}")
        df = pd.DataFrame(
            {
                DOSE_A: concentrations_nM(data[col_a].to_numpy(), field=col_a) * fa,
                DOSE_B: concentrations_nM(data[col_b].to_numpy(), field=col_b) * fb,
                EFFECT: np.asarray(data[effect_column], float),
            }
        )
    else:
        raise InputError("data", type(data).__name__, "a pandas DataFrame (dose_a, dose_b, effect) or an xarray DataArray")

    if not np.isfinite(df[EFFECT]).all():
        raise InputError(EFFECT, "non-finite values", "finite effects in every well (drop missing wells first)")
    grouped = df.groupby([DOSE_A, DOSE_B])[EFFECT]
    mean = grouped.mean().unstack(DOSE_B).sort_index().sort_index(axis=1)
    nrep = grouped.size().unstack(DOSE_B).reindex_like(mean)
    if mean.isna().any().any():
        holes = mean.stack(future_stack=True)
        holes = holes[holes.isna()].index[:5].tolist()
        raise InputError("data", f"missing dose pairs {holes}", "a complete grid: every dose_a with every dose_b")
    a = mean.index.to_numpy(float)
    b = mean.columns.to_numpy(float)
    if a[0] != 0 or b[0] != 0:
        raise InputError(
            "data",
            f"lowest dose_a={a[0]:g} nM, lowest dose_b={b[0]:g} nM",
            "explicit single-drug wells: rows with dose_b == 0 (drug A alone) and dose_a == 0 (drug B alone)",
        )
    if a.size < 2 or b.size < 2:
        raise InputError("data", f"{a.size} x {b.size} grid", "at least one non-zero dose of each drug")
    out = xr.DataArray(
        mean.to_numpy(float),
        dims=(DOSE_A, DOSE_B),
        coords={DOSE_A: (DOSE_A, a, {"units": CONC_UNIT}), DOSE_B: (DOSE_B, b, {"units": CONC_UNIT})},
        name=EFFECT,
        attrs={"effect_scale": effect_scale, "units": "1", "n_replicates": int(nrep.to_numpy().min())},
    )
    return out


def grid_to_table(grid: xr.DataArray, *, name: str | None = None) -> pd.DataFrame:
    """Flatten a ``(dose_a, dose_b)`` DataArray into a tidy table with ``dose_a_nM, dose_b_nM`` columns."""
    s = grid.to_series()
    df = s.rename(name or grid.name or EFFECT).reset_index()
    return df.rename(columns={DOSE_A: f"{DOSE_A}_{CONC_UNIT}", DOSE_B: f"{DOSE_B}_{CONC_UNIT}"})


# --- published GR-metric tables ----------------------------------------------------------
#: In the HMS LINCS BRCA tables (labsyspharm/brca-profiling, data/grmetrics*.csv) a GR50 of
#: exactly 100 (µM) stands for +inf and -inf for -inf: GR never crosses 0.5 in the tested range.
LINCS_GR50_NOT_REACHED = 100.0


def read_lincs_grmetrics(path: str | Path | None = None, *, replicates: bool = False) -> pd.DataFrame:
    """Read an HMS LINCS BRCA GR-metrics table, converting µM to nM and marking censored values.

    Parameters
    ----------
    path : path, optional
        The CSV; by default ``response/hmslincs_brca_grmetrics[_replicates]_pathway.csv`` in
        the shared data directory.
    replicates : bool
        Which default file to read (per-replicate or aggregated).

    Returns
    -------
    pandas.DataFrame
        The original columns, with ``GEC50`` and ``GR50`` replaced by ``GEC50_nM`` and
        ``GR50_nM`` (NaN where censored) and added columns ``GR50_flag`` ('' for a value
        within the fitted model, 'not reached (GR > 0.5)' for the table's 100 / +inf,
        'below 0.5 at all doses' for -inf) and ``fit`` ('flat' where GEC50 == 0, the
        GRmetrics convention for a flat fit; else 'sigmoid').
    """
    if path is None:
        from .._data import data_dir

        name = "hmslincs_brca_grmetrics_replicates_pathway.csv" if replicates else "hmslincs_brca_grmetrics_pathway.csv"
        path = data_dir(required=True) / "response" / name
    df = pd.read_csv(path)
    gr50 = df["GR50"].to_numpy(float)
    flag = np.where(
        (gr50 == LINCS_GR50_NOT_REACHED) | (gr50 == np.inf),
        "not reached (GR > 0.5)",
        np.where(gr50 == -np.inf, "below 0.5 at all doses", ""),
    )
    out = df.drop(columns=["GEC50", "GR50"])
    out["GEC50_nM"] = df["GEC50"].to_numpy(float) * 1e3
    out["GR50_nM"] = np.where(flag == "", gr50 * 1e3, np.nan)
    out["GR50_flag"] = flag
    out["fit"] = np.where(df["GEC50"].to_numpy(float) == 0, "flat", "sigmoid")
    for col in [c for c in df.columns if c.startswith("sigma_GEC50") or c.startswith("sigma_GR50")]:
        out[col.replace("sigma_", "sigma_") + "_nM"] = df[col].to_numpy(float) * 1e3
        out = out.drop(columns=[col])
    return out


def format_dose(nM: float) -> str:
    """Compact label for a concentration in nM (``0``, ``10nM``, ``1uM``)."""
    from .._units import format_concentration

    return format_concentration(float(nM))
