"""Plots of dose-response fits, GR curves, response surfaces, synergy maps and isobolograms.

Every function takes ``ax=None`` (a new figure is made) and returns the Axes. What is drawn
is also available as data on the objects passed in.
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from .._errors import InputError
from ._gr import GRFit
from ._hill import HillFit
from ._synergy import SynergyResult, isobole
from ._tables import DOSE_A, DOSE_B, format_dose


def _axes(ax):
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots()
    return ax


def _smooth(lo: float, hi: float) -> np.ndarray:
    return np.logspace(np.log10(lo) - 0.3, np.log10(hi) + 0.3, 200)


def plot_dose_response(fit: HillFit, *, ax=None, show_data: bool = True, label: str | None = None):
    """Data, fitted Hill curve and IC50 (dashed) of a :class:`HillFit`; x in nM (log axis)."""
    if not hasattr(fit, "params_"):
        raise InputError("fit", "unfitted HillFit", "a fitted estimator (call fit first)")
    ax = _axes(ax)
    lo, hi = fit.conc_range_
    x = _smooth(lo, hi)
    line, = ax.plot(x, fit._curve(fit._theta, x), label=label or f"fit (EC50 {fit.ec50_:.3g} nM, h {fit.hill_:.2g})")
    if show_data:
        c, y = fit._c, fit._y
        ax.scatter(np.where(c > 0, c, lo / 10 ** 0.5), y, color=line.get_color(), s=15, zorder=3)
    if np.isfinite(fit.ic50_):
        ax.axvline(fit.ic50_, ls="--", color=line.get_color(), lw=0.8)
        ax.annotate(f"IC50 {fit.ic50_:.3g} nM", (fit.ic50_, fit.level), textcoords="offset points", xytext=(4, 4), fontsize=8)
    else:
        ax.annotate(f"IC50 {fit.censoring_['ic50']}", (hi, fit.level), fontsize=8, ha="right")
    ax.set_xscale("log")
    ax.set_xlabel("concentration (nM)")
    ax.set_ylabel("effect")
    ax.legend(fontsize=8)
    return ax


def plot_gr_curve(fit: GRFit, conc=None, gr=None, *, ax=None, label: str | None = None):
    """Fitted GR curve with GR = 0 and GR = 0.5 guides, GR50 and optional data (``conc`` in the fit's unit)."""
    if not hasattr(fit, "fit_type_"):
        raise InputError("fit", "unfitted GRFit", "a fitted estimator (call fit first)")
    ax = _axes(ax)
    lo, hi = fit.conc_range_
    x = _smooth(lo, hi)
    from ._gr import gr_curve

    y = gr_curve(x, grinf=fit.grinf_, gec50=fit.gec50_, hill=fit.hill_)
    line, = ax.plot(x, y, label=label or f"{fit.fit_type_} fit (GR_AOC {fit.gr_aoc_:.2f})")
    if conc is not None and gr is not None:
        from ._tables import unit_factor

        ax.scatter(np.asarray(conc, float) * unit_factor(fit.conc_unit), gr, s=15, color=line.get_color(), zorder=3)
    for level in (0.0, 0.5):
        ax.axhline(level, color="0.6", lw=0.6, ls=":")
    if np.isfinite(fit.gr50_):
        ax.axvline(fit.gr50_, ls="--", color=line.get_color(), lw=0.8)
    ax.set_xscale("log")
    ax.set_ylim(min(-1.05, float(np.nanmin(y)) - 0.05), 1.3)
    ax.set_xlabel("concentration (nM)")
    ax.set_ylabel("GR value")
    ax.legend(fontsize=8)
    return ax


def _heat(da: xr.DataArray, ax, cmap, label, center=None):
    vals = da.transpose(DOSE_A, DOSE_B).values
    kw = {}
    if center is not None:
        m = np.nanmax(np.abs(vals - center)) or 1.0
        kw = {"vmin": center - m, "vmax": center + m}
    im = ax.imshow(vals, origin="lower", cmap=cmap, aspect="auto", **kw)
    ax.set_xticks(range(da[DOSE_B].size), [format_dose(v) for v in da[DOSE_B].values], rotation=45, fontsize=7)
    ax.set_yticks(range(da[DOSE_A].size), [format_dose(v) for v in da[DOSE_A].values], fontsize=7)
    ax.set_xlabel("drug B dose")
    ax.set_ylabel("drug A dose")
    ax.figure.colorbar(im, ax=ax, label=label)
    return ax


def plot_response_surface(grid: xr.DataArray, *, ax=None, cmap: str = "viridis"):
    """Heatmap of a ``(dose_a, dose_b)`` effect grid (e.g. ``SynergyResult.observed`` or ``dose_grid(...)``)."""
    ax = _axes(ax)
    return _heat(grid, ax, cmap, f"effect ({grid.attrs.get('effect_scale', 'effect')})")


def plot_synergy(result: SynergyResult, *, ax=None, cmap: str = "RdBu_r", annotate: bool = True):
    """Excess-over-expected map (red = synergy, blue = antagonism), centred on the null value 0."""
    ax = _axes(ax)
    _heat(result.excess, ax, cmap, f"{result.method} excess ({result.direction})", center=0.0)
    if annotate:
        vals = result.excess.values
        for i in range(vals.shape[0]):
            for j in range(vals.shape[1]):
                if np.isfinite(vals[i, j]):
                    ax.text(j, i, f"{vals[i, j]:.2f}", ha="center", va="center", fontsize=6)
    ax.set_title(f"{result.method}: mean {result.scores['mean']:.3f}")
    return ax


def plot_isobologram(result: SynergyResult, level: float, *, ax=None):
    """Isobologram at inhibition ``level`` from a Loewe result.

    Draws the Loewe-additive isobole from the fitted single agents (line from ``D_a(level)``
    to ``D_b(level)``), the measured combination points (filled where the observed inhibition
    reaches ``level``) and the observed isobole (contour of the measured surface).
    """
    if result.method != "loewe" or "a" not in result.single_fits:
        raise InputError("result", result.method, "a Loewe SynergyResult (it carries the fitted single agents)")
    if not 0 < level < 1:
        raise InputError("level", level, "an inhibition level strictly between 0 and 1")
    ax = _axes(ax)
    iso = isobole(result.single_fits["a"], result.single_fits["b"], level)
    if len(iso):
        ax.plot(iso[f"{DOSE_A}_nM"], iso[f"{DOSE_B}_nM"], "k--", label=f"Loewe additive (I = {level:g})")
    obs = result.observed
    inh = obs.values if result.effect_scale == "inhibition" else 1 - obs.values
    a, b = obs[DOSE_A].values, obs[DOSE_B].values
    A, B = np.meshgrid(a, b, indexing="ij")
    comb = (A > 0) & (B > 0)
    reach = comb & (inh >= level)
    ax.scatter(A[comb & ~reach], B[comb & ~reach], facecolors="none", edgecolors="C0", label="combination < level")
    ax.scatter(A[reach], B[reach], color="C3", label="combination >= level")
    if np.nanmin(inh) < level < np.nanmax(inh):
        ax.contour(A, B, inh, levels=[level], colors="C3", linewidths=1)
    ax.set_xlabel("drug A dose (nM)")
    ax.set_ylabel("drug B dose (nM)")
    ax.legend(fontsize=8)
    return ax
