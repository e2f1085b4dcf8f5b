"""A drawing of the pathway's main nodes, coloured by how a treatment changes their activity.

The layout is laid by hand (about 30 named nodes); the edges are a curated list of the network's
regulations, each checked against the model itself: an edge A → B is kept only when a reaction
that changes one of B's species, or one of B's rules, uses one of A's symbols
(:func:`network_edges`). Nodes are coloured by log2(treated / untreated) of their observable.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["NODES", "EDGES", "network_edges", "node_activity", "plot_network"]


@dataclass(frozen=True)
class Node:
    label: str
    observable: str | None      # coloured by this observable (None: not observed, drawn grey)
    symbols: tuple[str, ...]     # the network's species and rules that make up the node
    x: float
    y: float


NODES: tuple[Node, ...] = (
    Node("HER2/HER3", "pHER3", ("HER3", "HER3_a", "sig_HER3"), 1.0, 9.0),
    Node("IGF1R", "IGF1R_total", ("IGF1R", "IGF1R_a", "sig_IGF"), 3.2, 9.0),
    Node("IRS1 pY", "pIRS1_Y", ("IRS1", "IRS1_pY", "sig_IRS"), 3.2, 7.6),
    Node("IRS1 pS636", "pIRS1_S636", ("IRS1_S636",), 5.4, 7.6),
    Node("PI3K", "PI3K_activity", ("PI3K_a",), 2.2, 6.3),
    Node("PTEN", None, ("PTEN_eff",), 0.6, 5.0),
    Node("PIP3", "PIP3", ("PIP3", "PIP3_eff"), 2.2, 5.0),
    Node("mTORC2", "mTORC2_activity", ("mTORC2_a", "mTORC2_eff", "mTORC2_seq"), 4.0, 5.0),
    Node("AKT pS473", "pAKT_S473", ("AKT_T308", "AKT_S473", "AKT_act"), 3.0, 3.8),
    Node("TSC2 pT1462", "pTSC2_T1462", ("TSC2_pT1462", "TSC_gap"), 3.6, 2.5),
    Node("PRAS40 pT246", "pPRAS40_T246", ("PRAS40_pT246",), 5.6, 2.9),
    Node("AMPK", "AMPK_activity", ("AMPK_a",), 7.6, 2.5),
    Node("Rheb-GTP", "Rheb_GTP", ("Rheb_GTP",), 3.6, 1.3),
    Node("mTORC1", "mTORC1_activity", ("mTORC1_a", "m1_S6K", "m1_4EBP", "rapa_4E_escape"), 5.6, 1.3),
    Node("S6K1 pT389", "pS6K1_T389", ("S6K1", "S6K1_pT389", "S6K1_act"), 7.0, 0.0),
    Node("4E-BP1 p", "p4EBP1_T37_46", ("EBP1_p",), 4.4, 0.0),
    Node("S6 p", "pS6_S235_236", ("S6_p",), 7.6, -1.3),
    Node("eIF4E free", "eIF4E_free", ("eIF4E_free",), 4.4, -1.3),
    Node("translation", "translation", ("translation_rate",), 6.0, -2.5),
    Node("Ras-GTP", "Ras_GTP", ("Ras_GTP",), 0.2, 7.6),
    Node("Raf", None, ("Raf_a",), 0.2, 3.8),
    Node("MEK", "pMEK1_2", ("MEK_pp",), 0.2, 2.5),
    Node("ERK", "pERK1_2", ("ERK_pp", "fb_erk_rtk"), 0.8, 1.0),
    Node("FOXO (nuclear)", "FOXO_nuclear", ("FOXO_n",), 6.2, 4.4),
    Node("ERα activity", "ER_activity", ("ER", "ER_tx"), 9.0, 6.3),
    Node("ERα pS167", "pER_S167", ("ER_pS167", "AF1"), 9.0, 3.8),
    Node("GSK3", None, ("GSK3_a",), 1.8, -1.3),
    Node("cyclin D1", "cyclinD1", ("CCND1",), 9.0, -1.3),
    Node("survival (MCL1/BAD)", "survival", ("MCL1", "BAD_p", "survival_signal"), 2.0, -2.8),
)

#: (source, target, sign): +1 activates, -1 inhibits
EDGES: tuple[tuple[str, str, int], ...] = (
    ("IGF1R", "IRS1 pY", 1), ("IRS1 pS636", "IRS1 pY", -1), ("S6K1 pT389", "IRS1 pS636", 1),
    ("IRS1 pY", "PI3K", 1), ("HER2/HER3", "PI3K", 1), ("Ras-GTP", "PI3K", 1), ("HER2/HER3", "Ras-GTP", 1),
    ("PI3K", "PIP3", 1), ("PTEN", "PIP3", -1), ("PIP3", "AKT pS473", 1), ("PIP3", "mTORC2", 1), ("mTORC2", "AKT pS473", 1),
    ("AKT pS473", "TSC2 pT1462", 1), ("AKT pS473", "PRAS40 pT246", 1), ("TSC2 pT1462", "Rheb-GTP", 1),
    ("PRAS40 pT246", "mTORC1", 1), ("Rheb-GTP", "mTORC1", 1), ("AMPK", "mTORC1", -1),
    ("mTORC1", "S6K1 pT389", 1), ("mTORC1", "4E-BP1 p", 1), ("S6K1 pT389", "S6 p", 1), ("ERK", "S6 p", 1),
    ("4E-BP1 p", "eIF4E free", 1), ("eIF4E free", "translation", 1), ("S6 p", "translation", 1),
    ("Ras-GTP", "Raf", 1), ("AKT pS473", "Raf", -1), ("Raf", "MEK", 1), ("MEK", "ERK", 1),
    ("ERK", "Ras-GTP", -1), ("ERK", "HER2/HER3", -1), ("ERK", "Raf", -1), ("ERK", "TSC2 pT1462", 1),
    ("AKT pS473", "FOXO (nuclear)", -1), ("FOXO (nuclear)", "IGF1R", 1), ("FOXO (nuclear)", "HER2/HER3", 1),
    ("FOXO (nuclear)", "IRS1 pY", 1), ("ERα activity", "IGF1R", 1), ("ERα activity", "IRS1 pY", 1),
    ("ERα activity", "S6K1 pT389", 1), ("S6K1 pT389", "ERα pS167", 1), ("AKT pS473", "ERα pS167", 1),
    ("ERK", "ERα pS167", 1), ("ERα pS167", "ERα activity", 1), ("ERα activity", "cyclin D1", 1),
    ("ERK", "cyclin D1", 1), ("translation", "cyclin D1", 1), ("AKT pS473", "GSK3", -1), ("GSK3", "cyclin D1", -1),
    ("GSK3", "survival (MCL1/BAD)", -1), ("AKT pS473", "survival (MCL1/BAD)", 1),
)

_TOKEN = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _node(label: str) -> Node:
    for n in NODES:
        if n.label == label:
            return n
    raise KeyError(label)


def network_edges(net=None) -> pd.DataFrame:
    """The drawn edges, each with ``in_network``: whether the model contains that regulation
    (a reaction changing the target's species, or the target's rule, uses the source's symbols)."""
    from ..model import build_network
    net = net or build_network()
    rows = []
    for a, b, sign in EDGES:
        src, dst = set(_node(a).symbols), _node(b).symbols
        exprs = [r.rate for r in net.reactions.values() if set(r.reactants + r.products) & set(dst)]
        exprs += [net.rules[s].expression for s in dst if s in net.rules]
        used = sorted({t for e in exprs for t in _TOKEN.findall(e)} & src)
        rows.append({"source": a, "target": b, "sign": sign, "in_network": bool(used), "via": ", ".join(used)})
    return pd.DataFrame(rows)


def node_activity(treated, untreated, time: float | None = None) -> pd.Series:
    """log2(treated / untreated) of each node's observable at ``time`` (default: the last time)."""
    out = {}
    for n in NODES:
        if n.observable is None or n.observable not in treated:
            out[n.label] = np.nan
            continue
        sel = (lambda ds: ds[n.observable].isel(time=-1)) if time is None else (lambda ds: ds[n.observable].sel(time=time, method="nearest"))
        t, u = float(sel(treated)), float(sel(untreated))
        out[n.label] = float(np.log2(t / u)) if t > 0 and u > 0 else np.nan
    return pd.Series(out, name="log2_change")


def plot_network(activity: pd.Series | None = None, *, ax=None, title: str | None = None, limit: float = 2.0,
                 targets: tuple[str, ...] = ()):
    """Draw the network; nodes coloured by ``activity`` (log2 change, clipped to ±``limit``).

    ``targets``: node labels to outline in black (where the drugs act). Returns the Axes.
    """
    import matplotlib.pyplot as plt
    from matplotlib.colors import TwoSlopeNorm
    from matplotlib.patches import FancyArrowPatch

    if ax is None:
        _, ax = plt.subplots(figsize=(11, 8.5))
    cmap = plt.get_cmap("RdBu_r")
    norm = TwoSlopeNorm(vcenter=0.0, vmin=-limit, vmax=limit)
    pos = {n.label: (n.x, n.y) for n in NODES}
    edges = network_edges()
    for _, e in edges[edges.in_network].iterrows():
        (x0, y0), (x1, y1) = pos[e.source], pos[e.target]
        inhib = e.sign < 0
        arrow = FancyArrowPatch((x0, y0), (x1, y1), arrowstyle="-[" if inhib else "-|>", mutation_scale=12,
                                shrinkA=22, shrinkB=24, color="#b2182b" if inhib else "0.35", lw=1.1,
                                connectionstyle="arc3,rad=0.08", zorder=1)
        ax.add_patch(arrow)
    for n in NODES:
        v = np.nan if activity is None else activity.get(n.label, np.nan)
        face = "0.85" if not np.isfinite(v) else cmap(norm(float(np.clip(v, -limit, limit))))
        lum = 1.0 if not np.isfinite(v) else 0.299 * face[0] + 0.587 * face[1] + 0.114 * face[2]
        text = n.label + ("" if not np.isfinite(v) else f"\n{v:+.2f}")
        ax.text(n.x, n.y, text, ha="center", va="center", fontsize=8, color="white" if lum < 0.5 else "black", zorder=3,
                bbox=dict(boxstyle="round,pad=0.35", fc=face, ec="black" if n.label in targets else "0.5",
                          lw=2.2 if n.label in targets else 0.8, hatch=None if np.isfinite(v) else "//"))
    ax.set_xlim(-0.9, 10.1)
    ax.set_ylim(-3.5, 9.7)
    ax.set_axis_off()
    sm = plt.cm.ScalarMappable(norm=norm, cmap=cmap)
    ax.figure.colorbar(sm, ax=ax, fraction=0.03, pad=0.01, label="log2(treated / untreated)")
    if title:
        ax.set_title(title, fontsize=10)
    return ax
