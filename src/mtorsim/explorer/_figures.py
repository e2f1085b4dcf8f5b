"""Cached computations (straight calls to the public API) and the plotly figures drawn from them.

The figures plot the API's arrays as they are: a time-course trace's ``y`` is
``mtorsim.simulate(...)[observable].values`` for the same validated input, a network node's
colour value is :func:`mtorsim.report._network_diagram.node_activity`, and the dose-response points
are ``mtorsim.dose_response(...).data``.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache

import numpy as np
import plotly.graph_objects as go
import xarray as xr

from ..report._network_diagram import NODES, network_edges, node_activity
from ._validate import DoseResponseRequest, Scenario

__all__ = ["DEFAULT_OBSERVABLES", "SLOT_NODES", "dose_response_figure", "network_figure", "run_dose_response",
           "in_worker", "run_scenario", "timecourse_csv", "timecourse_figure"]

DEFAULT_OBSERVABLES = ("pAKT_S473", "pS6K1_T389", "p4EBP1_T37_46", "pERK1_2", "ER_activity", "cyclinD1")

#: where each drug slot acts in the drawing (outlined nodes); a drawing aid, not a model parameter
SLOT_NODES: dict[str, tuple[str, ...]] = {
    "rapalog": ("mTORC1",), "mtor_kinase": ("mTORC1", "mTORC2"), "pi3k_alpha": ("PI3K",), "pi3k_beta": ("PI3K",),
    "akt_catalytic": ("AKT pS473",), "akt_allosteric": ("AKT pS473",), "er_antagonist": ("ERα activity",),
    "er_degrader": ("ERα activity",), "aromatase": ("ERα activity",), "her2_antibody": ("HER2/HER3",),
    "her2_kinase": ("HER2/HER3",), "egfr_kinase": ("HER2/HER3",), "igf1r": ("IGF1R",), "mek": ("MEK",),
    "ampk_activator": ("AMPK",),
}
_COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22")


#: simulations run on two dedicated threads, one for the time courses and one for the screens: the engine is
#: per thread and not thread-safe (simulate/_engine.py), and the web server answers each request on a new
#: thread; each worker compiles the model once and keeps its steady-state cache, and the two panels
#: compute side by side (2 cores) instead of one waiting for the other
#: compiling is not: Antimony's parser keeps global state, so the two engines are compiled one after the other
_COMPILE_LOCK = threading.Lock()


def _compile_engine() -> None:
    from ..simulate._engine import get_engine
    with _COMPILE_LOCK:
        get_engine()


_WORKERS = {name: ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"mtorsim-explorer-{name}", initializer=_compile_engine)
            for name in ("signal", "screen")}


def in_worker(fn, *args, worker: str = "signal"):
    """Run ``fn(*args)`` on one of the explorer's simulation threads and return its result (exceptions propagate)."""
    return _WORKERS[worker].submit(fn, *args).result()


@lru_cache(maxsize=1)
def _edges():
    return network_edges()


def run_scenario(scenario: Scenario) -> xr.Dataset:
    """``mtorsim.simulate`` for a validated scenario (cached; treat the result as read-only)."""
    kw = scenario.simulate_kwargs()
    return _simulate(scenario.cell, tuple(kw.pop("drugs")), tuple(sorted(kw.items())))


@lru_cache(maxsize=64)
def _simulate(cell, doses, options) -> xr.Dataset:
    # keyed on what simulate() receives only (not, e.g., the network drawing's time)
    from .. import simulate
    return simulate(cell, drugs=list(doses), **dict(options))


@lru_cache(maxsize=32)
def run_dose_response(req: DoseResponseRequest):
    """``mtorsim.dose_response`` for a validated request (cached; serial backend: a handful of wells)."""
    from .. import dose_response
    return dose_response(req.cell, req.drug, doses=np.asarray(req.doses_nM), medium=req.medium, backend="serial")


def timecourse_figure(treated: xr.Dataset, untreated: xr.Dataset | None, observables) -> go.Figure:
    """Solid lines: the treatment; dotted: the same cell untreated. One trace per observable."""
    fig = go.Figure()
    t = treated["time"].values
    for i, obs in enumerate(observables):
        colour = _COLOURS[i % len(_COLOURS)]
        fig.add_trace(go.Scatter(x=t, y=treated[obs].values, name=obs, mode="lines", legendgroup=obs,
                                 line=dict(color=colour, width=2.2), meta=obs,
                                 hovertemplate=f"{obs}<br>%{{x:.3g}} h: %{{y:.4g}}<extra></extra>"))
        if untreated is not None:
            fig.add_trace(go.Scatter(x=untreated["time"].values, y=untreated[obs].values, name=f"{obs} untreated", mode="lines",
                                     legendgroup=obs, showlegend=False, line=dict(color=colour, width=1.2, dash="dot"),
                                     meta=f"{obs} (untreated)", hovertemplate=f"{obs} untreated<br>%{{x:.3g}} h: %{{y:.4g}}<extra></extra>"))
    unit = treated[observables[0]].attrs.get("units", "") if observables else ""
    fig.update_layout(title=dict(text=f"{treated.attrs['cell']} · {treated.attrs['treatment']} · {treated.attrs['medium']}",
                                 font=dict(size=14)),
                      xaxis_title="time since treatment (h)", yaxis_title=f"level ({unit})",
                      margin=dict(l=60, r=20, t=50, b=50), height=430, template="plotly_white",
                      legend=dict(orientation="h", y=-0.18))
    return fig


def network_figure(activity, targets=(), *, time_h: float, limit: float = 2.0) -> go.Figure:
    """The report's network drawing (same nodes, positions and model-checked edges) in plotly, nodes
    coloured by log2(treated / untreated) clipped to ±``limit``; drug targets outlined."""
    pos = {n.label: (n.x, n.y) for n in NODES}
    edges = _edges()
    fig = go.Figure()
    for sign, colour, name in ((1, "rgba(90,90,90,0.55)", "activates"), (-1, "rgba(178,24,43,0.7)", "inhibits")):
        xs, ys = [], []
        sel = edges[edges.in_network & (edges.sign == sign)]
        for a, b in zip(sel.source, sel.target):
            (x0, y0), (x1, y1) = pos[a], pos[b]
            xs += [x0, x1, None]
            ys += [y0, y1, None]
        fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", line=dict(color=colour, width=1.2), name=name, hoverinfo="skip"))
    arrows = []
    for src, dst, sign in zip(edges.source[edges.in_network], edges.target[edges.in_network], edges.sign[edges.in_network]):
        (x0, y0), (x1, y1) = pos[src], pos[dst]
        arrows.append(dict(x=x0 + 0.8 * (x1 - x0), y=y0 + 0.8 * (y1 - y0), ax=x0 + 0.7 * (x1 - x0), ay=y0 + 0.7 * (y1 - y0),
                           xref="x", yref="y", axref="x", ayref="y", showarrow=True, text="",
                           arrowhead=2 if sign > 0 else 6, arrowsize=1.1, arrowwidth=1.1,
                           arrowcolor="rgba(90,90,90,0.8)" if sign > 0 else "rgba(178,24,43,0.9)"))
    labels = [n.label for n in NODES]
    vals = np.array([float(activity.get(lab, np.nan)) for lab in labels])
    shown = np.clip(np.where(np.isfinite(vals), vals, 0.0), -limit, limit)
    text = [f"{lab}<br>{v:+.2f}" if np.isfinite(v) else f"{lab}<br>n/a" for lab, v in zip(labels, vals)]
    fig.add_trace(go.Scatter(
        x=[n.x for n in NODES], y=[n.y for n in NODES], mode="markers+text", text=[lab for lab in labels],
        textposition="bottom center", textfont=dict(size=10), name="nodes", showlegend=False,
        customdata=vals, meta="node_activity",
        hovertext=text, hoverinfo="text",
        marker=dict(size=26, color=shown, colorscale="RdBu_r", cmin=-limit, cmax=limit, cmid=0.0,
                    line=dict(color=["black" if lab in targets else "rgb(120,120,120)" for lab in labels],
                              width=[3.5 if lab in targets else 1.0 for lab in labels]),
                    colorbar=dict(title=dict(text="log2(treated /<br>untreated)", side="right"), thickness=12))))
    fig.update_layout(annotations=arrows, title=dict(text=f"network activity at {time_h:g} h (grey centre: no observable; outlined: drug targets)",
                                 font=dict(size=13)),
                      xaxis=dict(visible=False, range=[-0.9, 10.1]), yaxis=dict(visible=False, range=[-3.5, 10.0]),
                      margin=dict(l=10, r=10, t=45, b=10), height=520, template="plotly_white",
                      legend=dict(orientation="h", y=1.02, x=0.0))
    return fig


def scenario_network(treated: xr.Dataset, untreated: xr.Dataset, scenario: Scenario) -> tuple[go.Figure, dict]:
    act = node_activity(treated, untreated, time=scenario.network_time_h)
    targets = tuple(sorted({n for d in scenario.doses for t in d.drug.targets for n in SLOT_NODES.get(t.slot, ())}))
    return network_figure(act, targets, time_h=scenario.network_time_h), act.to_dict()


def dose_response_figure(result) -> go.Figure:
    """Viability and GR of the 72-h virtual assay over dose (log axis), from ``dose_response(...).data``."""
    data = result.data
    cell, drug = str(data.cell.values[0]), str(data.drug.values[0])
    d = data["dose_nM"].values
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=d, y=data["viability"].sel(cell=cell, drug=drug).values, mode="lines+markers",
                             name="viability (fraction of control)", meta="viability"))
    fig.add_trace(go.Scatter(x=d, y=data["GR"].sel(cell=cell, drug=drug).values, mode="lines+markers", name="GR value",
                             meta="GR", line=dict(dash="dash")))
    fig.add_hline(y=0.0, line=dict(color="grey", width=1))
    fig.update_layout(title=dict(text=f"{cell} · {drug} · {data.attrs.get('assay_hours', 72):g}-h virtual assay", font=dict(size=14)),
                      xaxis=dict(type="log", title="dose (nM)"), yaxis=dict(title="response", range=[-1.05, 1.15]),
                      margin=dict(l=60, r=20, t=50, b=50), height=380, template="plotly_white",
                      legend=dict(orientation="h", y=-0.25))
    return fig


def timecourse_csv(treated: xr.Dataset) -> str:
    """The time courses as the CLI's tidy CSV (``mtorsim simulate --out x.csv``: cell, treatment, time_h,
    observable, value, unit), preceded by ``# key: value`` provenance lines (read with ``comment="#"``)."""
    from .._io import tidy
    head = "".join(f"# {k}: {str(v).replace(chr(10), ' ')}\n" for k, v in treated.attrs.items())
    return head + tidy(treated).to_csv(index=False)


@lru_cache(maxsize=16)
def run_small_trial(req):
    """``mtorsim.trial.run_trial`` for a validated :class:`~._validate.TrialRequest` (cached)."""
    from ..trial import run_trial
    return run_trial(req.trial, seed=req.seed, patients=req.patients, progress=False)


def km_curves(result) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Per arm: the Kaplan-Meier step function (times in months, survival) as lifelines gives it."""
    from lifelines import KaplanMeierFitter
    out = {}
    for arm, g in result.outcomes.groupby("arm", sort=False):
        sf = KaplanMeierFitter().fit(g.pfs_months, g.progressed).survival_function_
        out[str(arm)] = (sf.index.to_numpy(dtype=float), sf.iloc[:, 0].to_numpy(dtype=float))
    return out


def trial_figure(result) -> go.Figure:
    """Kaplan-Meier curves of PFS per arm (the trial API's outcomes, lifelines' estimator)."""
    fig = go.Figure()
    for arm, (t, s) in km_curves(result).items():
        n = int((result.outcomes.arm == arm).sum())
        fig.add_trace(go.Scatter(x=t, y=s, mode="lines", line_shape="hv", name=f"{arm} (n={n})", meta=arm))
    fig.update_layout(height=340, template="plotly_white", margin=dict(l=50, r=10, t=30, b=40),
                      xaxis_title="months", yaxis_title="progression-free", yaxis_range=[0, 1.02],
                      title=dict(text=result.spec.title, font=dict(size=12)))
    return fig
