"""Plots of calibrations and profiles. Each takes ``ax=None`` and returns ``ax``; the data shown are
available as tables on the result objects (``starts``, ``residuals()``, ``profiles``)."""

from __future__ import annotations

import numpy as np


def _ax(ax):
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=(6, 4))
    return ax


def waterfall(result, ax=None, tol: float = 1e-3):
    """Final objective of every finished start, sorted; starts within ``tol`` of the best in colour."""
    ax = _ax(ax)
    f = result.ok_starts["fval"].to_numpy(float)
    if len(f):
        best = f[0]
        y = f - best + 1.0  # offset so that the best start shows on a log axis
        at_best = f <= best + tol
        idx = np.arange(1, len(f) + 1)
        ax.plot(idx, y, color="0.6", lw=1, zorder=1)
        ax.scatter(idx[~at_best], y[~at_best], color="0.4", s=18, zorder=2, label="other starts")
        ax.scatter(idx[at_best], y[at_best], color="C3", s=22, zorder=3, label=f"within {tol:g} of the best")
        ax.set_yscale("log")
        ax.legend(frameon=False, fontsize=8)
    n_failed = int((result.starts["status"] == "failed").sum())
    ax.set_xlabel("start (sorted by final objective)")
    ax.set_ylabel("f − f_best + 1   (f = −log posterior)")
    ax.set_title(f"waterfall: {len(f)} finished, {n_failed} failed")
    return ax


def parameters_plot(result, ax=None, n_best: int = 10):
    """Estimated parameters of the ``n_best`` best starts on their scale, with bounds."""
    ax = _ax(ax)
    ids = result.ids
    lo = np.array([_scaled(v, s) for v, s in zip(result.parameters["lower"], result.parameters["scale"])])
    hi = np.array([_scaled(v, s) for v, s in zip(result.parameters["upper"], result.parameters["scale"])])
    y = np.arange(len(ids))
    ax.hlines(y, lo, hi, color="0.85", lw=6, label="bounds")
    ok = result.ok_starts.head(n_best)
    for k, (_, row) in enumerate(ok.iterrows()):
        x = row[[f"x:{p}" for p in ids]].to_numpy(float)
        ax.plot(x, y, "o-", ms=4, lw=0.8, color="C3" if k == 0 else "0.5", alpha=1.0 if k == 0 else 0.5,
                label="best" if k == 0 else ("other starts" if k == 1 else None))
    ax.set_yticks(y, [f"{p} ({s})" for p, s in zip(ids, result.parameters["scale"])], fontsize=7)
    ax.set_xlabel("value on the parameter scale")
    ax.legend(frameon=False, fontsize=8)
    ax.invert_yaxis()
    return ax


def _scaled(v: float, s: str) -> float:
    return float(np.log10(v)) if s == "log10" else float(np.log(v)) if s == "log" else float(v)


def residuals_plot(result, ax=None, by: str = "observableId"):
    """Noise-normalised residuals at the best parameters, grouped by ``by`` (observableId, datasetId,
    simulationConditionId)."""
    ax = _ax(ax)
    df = result.residuals()
    if by not in df:
        by = "observableId"
    groups = list(dict.fromkeys(df[by]))
    for k, g in enumerate(groups):
        r = df.loc[df[by] == g, "residual"].to_numpy(float)
        ax.scatter(np.full(len(r), k) + np.linspace(-0.25, 0.25, len(r)) if len(r) > 1 else [k], r, s=10,
                   color=f"C{k % 10}")
    ax.axhline(0, color="0.3", lw=0.8)
    for v in (-2, 2):
        ax.axhline(v, color="0.6", lw=0.6, ls="--")
    ax.set_xticks(range(len(groups)), [str(g) for g in groups], rotation=45, ha="right", fontsize=7)
    ax.set_ylabel("(h(y) − h(m)) / σ")
    ax.set_title(f"residuals by {by}")
    return ax


def profile_plot(result, parameter: str, ax=None):
    """Δ(−2 log L) along the profile of ``parameter`` with the pointwise 95 % threshold."""
    ax = _ax(ax)
    df = result.profiles[result.profiles["parameter"] == parameter].sort_values("value_scaled")
    ax.plot(df["value_scaled"], df["delta"], "o-", ms=3, color="C0")
    ax.axhline(result.threshold, color="C3", ls="--", lw=1, label=f"χ²₁ 95 % = {result.threshold:.2f}")
    v = result.verdicts.set_index("parameter").loc[parameter]
    ax.axvline(v["best_scaled"], color="0.5", lw=0.8)
    ax.set_xlabel(f"{parameter} ({v['scale']})")
    ax.set_ylabel("Δ(−2 log L)")
    ax.set_title(f"{parameter}: {v['verdict']}", fontsize=9)
    ax.legend(frameon=False, fontsize=8)
    return ax
