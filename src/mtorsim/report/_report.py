"""``mtorsim report``: one self-contained HTML page showing what the model does (issue 7 §1).

Four breast-cancer lines (MCF7, BT-474, MDA-MB-231, MCF7-LTED) under everolimus, an mTOR
kinase inhibitor (sapanisertib), alpelisib and capivasertib, alone and with fulvestrant or
exemestane: signalling time courses, dose-response and GR curves, a synergy map, the network
coloured by pathway activity and the model-vs-evidence scorecard. Figures are embedded as
base64 PNG, so the page opens offline. ``report.json`` beside it records versions, the
parameter-set id, the seed and what was run; the run is recorded in the results store.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pandas as pd

from .._errors import InputError
from .._io import write_text_atomic
from .._version import versions
from ._html import escape, figure_html, page, table_html

__all__ = ["ReportSpec", "ReportResult", "build_report", "SECTIONS"]

CELLS = ("MCF7", "BT-474", "MDA-MB-231", "MCF7-LTED")
DRUGS = {"everolimus": "10nM", "sapanisertib": "100nM", "alpelisib": "1uM", "capivasertib": "1uM"}
FULVESTRANT = "fulvestrant=100nM"
EXEMESTANE = "exemestane=100nM"
TIMECOURSE_OBS = ("pS6K1_T389", "p4EBP1_T37_46", "pAKT_S473", "pERK1_2")
ENDOCRINE_OBS = ("pAKT_S473", "ER_activity", "cyclinD1")

#: section anchors and titles, in page order (tests look for these titles)
SECTIONS = {
    "timecourses": "Signalling time courses",
    "endocrine": "With fulvestrant or exemestane",
    "dose-response": "Dose-response and GR curves",
    "synergy": "Synergy map",
    "network": "Network coloured by pathway activity",
    "scorecard": "Model vs evidence scorecard",
    "trial": "Virtual BOLERO-2 trial",
    "provenance": "Provenance",
}


@dataclass(frozen=True)
class ReportSpec:
    """What the report runs. ``quick`` (for CI) uses fewer lines, drugs, doses and time points."""

    quick: bool = False
    seed: int = 0
    cells: tuple[str, ...] = CELLS
    drugs: tuple[str, ...] = tuple(DRUGS)
    hours: float = 48.0

    def __post_init__(self):
        if not isinstance(self.seed, int) or isinstance(self.seed, bool) or self.seed < 0:
            raise InputError("seed", self.seed, "a non-negative integer")
        if self.quick:
            object.__setattr__(self, "cells", tuple(c for c in self.cells if c in ("MCF7", "MDA-MB-231")) or self.cells[:2])
            object.__setattr__(self, "drugs", tuple(d for d in self.drugs if d in ("everolimus", "alpelisib")) or self.drugs[:2])

    @property
    def n_doses(self) -> int:
        return 5 if self.quick else 9

    @property
    def n_points(self) -> int:
        return 25 if self.quick else 97

    @property
    def grid(self) -> int:
        return 4 if self.quick else 7


@dataclass(frozen=True)
class ReportResult:
    html: Path
    json: Path
    run_id: str | None
    scorecard: pd.DataFrame
    timings: dict = field(default_factory=dict)


def _dose(drug: str) -> str:
    return f"{drug}={DRUGS.get(drug, '100nM')}"


def _plt():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    return plt


# ---- sections ---------------------------------------------------------------------------------


def _timecourses(spec: ReportSpec, data: dict) -> str:
    from ..simulate import simulate
    plt = _plt()
    sims = {}
    for c in spec.cells:
        for d in spec.drugs:
            sims[c, d] = simulate(c, drugs=[_dose(d)], hours=spec.hours, n_points=spec.n_points, normalize="cell")
    data["timecourses"] = sims
    fig, axes = plt.subplots(len(TIMECOURSE_OBS), len(spec.cells), figsize=(3.3 * len(spec.cells), 2.5 * len(TIMECOURSE_OBS)),
                             sharex=True, squeeze=False)
    for j, c in enumerate(spec.cells):
        for i, o in enumerate(TIMECOURSE_OBS):
            ax = axes[i, j]
            ax.axhline(1.0, color="0.6", lw=0.8, ls=":", label="untreated")
            for k, d in enumerate(spec.drugs):
                ds = sims[c, d]
                ax.plot(ds.time, ds[o], color=f"C{k}", label=f"{d} {DRUGS[d]}")
            ax.set_ylim(bottom=0)
            if i == 0:
                ax.set_title(c, fontsize=10)
            if j == 0:
                ax.set_ylabel(f"{o}\n(× untreated)", fontsize=8)
            if i == len(TIMECOURSE_OBS) - 1:
                ax.set_xlabel("time (h)")
    axes[2, 0].legend(fontsize=7, loc="center right")
    fig.suptitle("Signalling after each drug (1 = the line's untreated steady state)", fontsize=11)
    fig.tight_layout()
    rows = []
    for (c, d), ds in sims.items():
        s6k = float(ds["pS6K1_T389"].sel(time=1, method="nearest"))
        akt = float(ds["pAKT_S473"].sel(time=24, method="nearest"))
        rows.append({"cell": c, "drug": f"{d} {DRUGS[d]}", "pS6K1 at 1 h": s6k, "pAKT S473 at 24 h": akt,
                     "pAKT feedback": "rises" if akt > 1.1 else ("falls" if akt < 0.9 else "flat")})
    tab = pd.DataFrame(rows)
    data["timecourse_summary"] = tab
    text = ("<p>The rapalog (everolimus) shuts S6K1 off within the hour; relieving S6K1 ⊣ IRS1 then raises pAKT S473 "
            "over the following day (the feedback, evidence C01/C05), while 4E-BP1 phosphorylation dips and recovers "
            "(C11/C12). The mTOR kinase inhibitor blocks 4E-BP1 and mTORC2 as well, so pAKT S473 falls instead (C13). "
            "Alpelisib lowers pAKT and only part of S6K1; the ATP-competitive Akt inhibitor capivasertib blocks Akt's "
            "kinase activity while its phosphorylation rises (the known hyperphosphorylation of drug-bound Akt).</p>")
    return text + figure_html(fig, "Time courses of pS6K1 T389, p4E-BP1 T37/46, pAKT S473 and pERK1/2 (× untreated), "
                              f"{spec.hours:g} h, full medium.") + table_html(tab)


def _endocrine(spec: ReportSpec, data: dict) -> str:
    from ..simulate import simulate
    plt = _plt()
    er_cells = [c for c in spec.cells if c != "MDA-MB-231"] or list(spec.cells)
    arms = (("alone", [], "full", "-"), ("+ fulvestrant 100 nM", [FULVESTRANT], "full", "--"),
            ("+ exemestane 100 nM (oestradiol withdrawn)", [EXEMESTANE], "charcoal_stripped", ":"))
    sims = {}
    for c in er_cells:
        for d in spec.drugs:
            for name, extra, medium, _ in arms:
                sims[c, d, name] = simulate(c, drugs=[_dose(d), *extra], medium=medium, preequilibration_medium="full",
                                            hours=spec.hours, n_points=spec.n_points, normalize="cell")
    data["endocrine"] = sims
    fig, axes = plt.subplots(len(ENDOCRINE_OBS), len(er_cells), figsize=(3.3 * len(er_cells) + 1, 2.5 * len(ENDOCRINE_OBS)),
                             sharex=True, squeeze=False)
    for j, c in enumerate(er_cells):
        for i, o in enumerate(ENDOCRINE_OBS):
            ax = axes[i, j]
            ax.axhline(1.0, color="0.6", lw=0.8, ls=":")
            for k, d in enumerate(spec.drugs):
                for name, _, _, ls in arms:
                    ds = sims[c, d, name]
                    ax.plot(ds.time, ds[o], color=f"C{k}", ls=ls, label=f"{d} {name}" if (i, j) == (0, 0) else None)
            ax.set_ylim(bottom=0)
            if i == 0:
                ax.set_title(c, fontsize=10)
            if j == 0:
                ax.set_ylabel(f"{o}\n(× untreated)", fontsize=8)
            if i == len(ENDOCRINE_OBS) - 1:
                ax.set_xlabel("time (h)")
    fig.legend(loc="center left", bbox_to_anchor=(1.0, 0.5), fontsize=7)
    fig.suptitle("Pathway drugs alone (solid), with fulvestrant (dashed) or with exemestane (dotted)", fontsize=11)
    fig.tight_layout()
    rows = []
    for (c, d, name), ds in sims.items():
        rows.append({"cell": c, "treatment": f"{d} {DRUGS[d]} {name}",
                     **{f"{o} at {spec.hours:g} h": float(ds[o].isel(time=-1)) for o in ENDOCRINE_OBS}})
    tab = pd.DataFrame(rows)
    data["endocrine_summary"] = tab
    text = ("<p>ER-positive lines only (MDA-MB-231 has no ERα). Fulvestrant degrades ERα; it removes the ER drive of "
            "cyclin D1 and the ER-driven IGF1R/IRS1 expression that feeds the AKT rebound (evidence C02). "
            "Exemestane blocks aromatase: these lines make no oestradiol of their own, so its arm is modelled as in a "
            "patient, by the oestradiol it removes: the medium switches at t = 0 to steroid-free (charcoal-stripped) "
            "with exemestane. In full medium with added oestradiol exemestane alone would change nothing in vitro.</p>")
    return text + figure_html(fig, "ER-positive lines: pAKT S473, ERα activity and cyclin D1 (× untreated, full medium).") + table_html(tab)


def _dose_response(spec: ReportSpec, data: dict) -> str:
    from ..response import dose_response
    from ..response._screen import run_wells
    plt = _plt()
    doses = np.logspace(-1, 4, spec.n_doses)
    alone = dose_response(list(spec.cells), list(spec.drugs), doses=doses)
    wells = pd.DataFrame([{"cell": c, "drug": d, "dose_nM": x, "drugs": f"{d}={float(x)!r}nM; {FULVESTRANT}"}
                          for c in spec.cells for d in spec.drugs for x in doses])
    comb = run_wells(wells)
    comb = comb.assign(drug=wells["drug"].values, dose_nM=wells["dose_nM"].values)
    fulv_alone = run_wells(pd.DataFrame([{"cell": c, "drugs": FULVESTRANT} for c in spec.cells])).set_index("cell")
    data["dose_response"] = alone
    data["dose_response_fulvestrant"] = comb
    figs = []
    for value, ylabel, guides in (("viability", "relative viability", (0.5,)), ("GR", "GR value", (0.0, 0.5))):
        fig, axes = plt.subplots(len(spec.cells), len(spec.drugs), figsize=(3.0 * len(spec.drugs), 2.4 * len(spec.cells)),
                                 sharex=True, sharey=True, squeeze=False)
        for i, c in enumerate(spec.cells):
            for j, d in enumerate(spec.drugs):
                ax = axes[i, j]
                y = alone.data[value].sel(cell=c, drug=d).values
                ax.plot(doses, y, "o-", color="C0", ms=3, label="alone")
                cy = comb[(comb.cell == c) & (comb.drug == d)][value].values
                ax.plot(doses, cy, "s--", color="C3", ms=3, label="+ fulvestrant 100 nM")
                ax.axhline(float(fulv_alone.loc[c, value]), color="C3", lw=0.7, ls=":")
                for g in guides:
                    ax.axhline(g, color="0.7", lw=0.6, ls=":")
                ax.set_xscale("log")
                if i == 0:
                    ax.set_title(d, fontsize=10)
                if j == 0:
                    ax.set_ylabel(f"{c}\n{ylabel}", fontsize=8)
                if i == len(spec.cells) - 1:
                    ax.set_xlabel("dose (nM)")
        axes[0, 0].legend(fontsize=7)
        fig.suptitle(f"72-h virtual screen: {ylabel} (dotted red: fulvestrant alone)", fontsize=11)
        fig.tight_layout()
        figs.append(figure_html(fig, f"{ylabel.capitalize()} over dose, alone and with fulvestrant 100 nM (72 h, full medium)."))
    metrics = alone.metrics[["cell", "drug", "IC50_nM", "IC50_flag", "Emax", "GR50_nM", "GR50_flag", "GRmax", "GR_AOC"]]
    return ("<p>Viability and GR (growth-rate inhibition, Hafner et al. 2016) from the cell-fate layer; GR &lt; 0 is "
            "cell killing. Metrics of the single-drug fits (NaN with a flag when beyond the tested doses):</p>"
            + "".join(figs) + table_html(metrics))


def _synergy(spec: ReportSpec, data: dict) -> str:
    from ..response import combination
    from ..response._plots import plot_response_surface, plot_synergy
    plt = _plt()
    pairs = [("MCF7", "everolimus", "fulvestrant")]
    if not spec.quick:
        pairs.append(("MCF7-LTED", "alpelisib", "fulvestrant"))
    out, scores = [], []
    for cell, a, b in pairs:
        res = combination(cell, [a, b], grid=spec.grid, methods=("bliss", "loewe"))
        data[f"synergy_{cell}_{a}_{b}"] = res
        fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4.3))
        plot_response_surface(res.surface["viability"], ax=ax1)
        ax1.set_title(f"{cell}: viability", fontsize=10)
        plot_synergy(res.synergy["bliss"], ax=ax2)
        for ax in (ax1, ax2):
            ax.set_ylabel(f"{a} dose")
            ax.set_xlabel(f"{b} dose")
        fig.suptitle(f"{a} + {b} in {cell} (72 h): response surface and Bliss excess (red = synergy)", fontsize=11)
        fig.tight_layout()
        out.append(figure_html(fig, f"{a} × {b} in {cell}: {spec.grid}×{spec.grid} dose grid with zero doses."))
        sc = res.scores.reset_index()[["method", "mean", "max"]].assign(pair=f"{a} + {b}", cell=cell)
        scores.append(sc[["cell", "pair", "method", "mean", "max"]])
    return ("<p>Synergy on the viability scale: Bliss excess (observed inhibition beyond independent action) and Loewe "
            "(dose additivity); positive = synergy.</p>" + "".join(out) + table_html(pd.concat(scores, ignore_index=True)))


def _network(spec: ReportSpec, data: dict) -> str:
    from ..simulate import simulate
    from ._network_diagram import network_edges, node_activity, plot_network
    plt = _plt()
    targets = {"everolimus": ("mTORC1",), "sapanisertib": ("mTORC1", "mTORC2"), "alpelisib": ("PI3K",),
               "capivasertib": ("AKT pS473",)}
    untreated = simulate("MCF7", hours=24, n_points=2, normalize="cell")
    out, acts = [], {}
    for d in spec.drugs:
        ds = simulate("MCF7", drugs=[_dose(d)], hours=24, n_points=2, normalize="cell")
        act = node_activity(ds, untreated)
        acts[d] = act
        fig, ax = plt.subplots(figsize=(10.5, 8))
        plot_network(act, ax=ax, title=f"MCF7, {d} {DRUGS[d]}, 24 h: log2 change vs untreated (outlined: drug target)",
                     targets=targets.get(d, ()))
        fig.tight_layout()
        out.append(figure_html(fig, f"Network under {d} {DRUGS[d]} in MCF7 at 24 h. Red arrows with bars are inhibitions; "
                               "hatched grey nodes are not observed in the model's outputs."))
    data["network_activity"] = pd.DataFrame(acts)
    edges = network_edges()
    return (f"<p>{len(edges)} regulations of the model (each checked against its reactions and rules; "
            f"{int(edges.in_network.sum())} found) between its main nodes. Colour: log2(treated / untreated) of the "
            "node's observable.</p>" + "".join(out))


def _bolero2(spec: ReportSpec, data: dict):
    """The report's virtual BOLERO-2, run once and shared by the scorecard and the trial section."""
    if "bolero2" not in data:
        from ..trial import run_trial
        data["bolero2"] = run_trial("bolero2", seed=spec.seed, patients=180 if spec.quick else None, progress=False)
    return data["bolero2"]


def _scorecard(spec: ReportSpec, data: dict) -> str:
    from ..evidence._scorecard import scorecard
    # the scorecard's trials run at seed 0 and full size: the report's BOLERO-2 is that run when seed 0 and not quick
    reuse = {"bolero2": _bolero2(spec, data)} if not spec.quick and spec.seed == 0 else None
    card = scorecard(quick=spec.quick, trial_results=reuse)
    data["scorecard"] = card
    n, m = int(card.agree.sum()), len(card)
    scope = ("the core-model mechanism checks and Nelander 2008 (quick mode: the virtual screens are left out; "
             "run <code>mtorsim validate scorecard</code> for all)") if spec.quick else "all checks, screens included"
    return (f"<p><b>{n}/{m} agree</b> — {scope}. Each row names its record in the evidence base "
            "(<code>shared/evidence/evidence.yaml</code>) or its data set.</p>"
            + table_html(card[["evidence", "group", "check", "model", "published", "agree"]], row_class="agree")
            + "<details><summary>Statements of the evidence records</summary>"
            + table_html(card[["evidence", "statement"]].drop_duplicates()) + "</details>")


def _trial(spec: ReportSpec, data: dict) -> str:
    from ..trial import compare
    plt = _plt()
    res = _bolero2(spec, data)
    data["trial_summary"] = res.summary
    fig, ax = plt.subplots(figsize=(8, 5))
    res.plot_km(ax=ax)
    fig.tight_layout()
    fig_os = None
    if "os_months" in res.outcomes:
        fig_os, ax_os = plt.subplots(figsize=(8, 5))
        res.plot_km(ax=ax_os, endpoint="os")
        fig_os.tight_layout()
    comp = compare(res)
    data["trial_comparison"] = comp
    c = next(iter(res.summary["comparisons"].values()))
    rows = []
    for arm, a in res.summary["arms"].items():
        rows.append({"arm": arm, "patients": a["n"], "median PFS (months)": a["median_pfs_months"],
                     "95% CI": "{:.1f}-{:.1f}".format(*a["median_pfs_95ci"]), "ORR": a["orr"], "CBR": a["cbr"],
                     **({"median OS (months)": a["median_os_months"]} if "median_os_months" in a else {}),
                     "stomatitis any / grade 3-4": "{any_grade:.0%} / {grade_3_4:.0%}".format(**a["adverse_events"]["stomatitis"])
                     if "stomatitis" in a.get("adverse_events", {}) else "-"})
    size = f"{res.summary['run']['patients']} patients" + (" (quick mode; the trial enrolled 724)" if spec.quick else "")
    return (f"<p>Virtual BOLERO-2 ({size}, seed {spec.seed}): everolimus 10 mg + exemestane 25 mg daily vs exemestane "
            "after a non-steroidal aromatase inhibitor, each patient's PK, adverse events and dose modifications driving "
            "the cell model through exposure-response surfaces (<code>mtorsim trial run bolero2</code>, docs/trials.md). "
            "BOLERO-2 is a calibration trial: the tumours' growth parameters were fitted to its control arm, the "
            "pre-existing resistant fraction to its everolimus arm's median PFS and the between-patient spread of tumour "
            "growth to its hazard ratio (docs/trials.md lists every fit; the other built-in trials are predictions). "
            "This is one virtual trial, one random draw of 724 patients, as the real trial was: replicate trials spread "
            "around the model's expected values (the scorecard gives the median and range of three). "
            f"PFS hazard ratio <b>{c['hazard_ratio']:.2f}</b> (95% CI {c['hr_95ci'][0]:.2f}-{c['hr_95ci'][1]:.2f}; "
            "published 0.45, 0.38-0.54, evidence A03).</p>"
            + figure_html(fig, "Kaplan-Meier estimates of progression-free survival with the at-risk table (lifelines).")
            + (figure_html(fig_os, "Overall survival (final-analysis data cut): death follows progression after a "
                           "post-progression survival fitted to the control arm's OS and the same in both arms, so the "
                           "everolimus arm's OS and the OS hazard ratio are predictions (published HR 0.89, 0.73-1.10).")
               if fig_os is not None else "")
            + table_html(pd.DataFrame(rows))
            + "<p>Simulated vs published:</p>" + table_html(comp[["endpoint", "arm", "simulated", "published", "criterion", "agree"]],
                                                             row_class="agree"))


# ---- the whole report -------------------------------------------------------------------------


def _provenance(spec: ReportSpec, meta: dict) -> str:
    vers = pd.DataFrame(sorted(meta["versions"].items()), columns=["package", "version"])
    rows = pd.DataFrame([{"item": k, "value": v} for k, v in (
        ("created (UTC)", meta["created"]), ("parameter set id", meta["parameter_set_id"]), ("seed", meta["seed"]),
        ("mode", "quick" if spec.quick else "full"), ("cell lines", ", ".join(spec.cells)),
        ("drugs", ", ".join(_dose(d) for d in spec.drugs)), ("store run id", meta.get("run_id") or "not recorded"),
        ("wall time (s)", f"{meta['wall_s']:.1f}"))])
    return ("<p class='prov'>The report's simulations are deterministic (ODEs); the seed is recorded for the store and "
            "for stochastic parts to come.</p>" + table_html(rows) + table_html(vers))


STEPS = (("timecourses", _timecourses), ("endocrine", _endocrine), ("dose-response", _dose_response),
         ("synergy", _synergy), ("network", _network), ("scorecard", _scorecard), ("trial", _trial))


def build_report(out: str | Path = "report", *, quick: bool = False, seed: int = 0, store=None, record: bool = True,
                 progress: bool = False, spec: ReportSpec | None = None) -> ReportResult:
    """Run the flagship scenarios and write ``report.html`` and ``report.json`` into ``out``.

    Parameters
    ----------
    out : output folder (created).
    quick : fewer lines (MCF7, MDA-MB-231), drugs (everolimus, alpelisib), doses and times; no screens in the
        scorecard. For CI: well under a minute.
    seed : recorded in the page, ``report.json`` and the store.
    store : a :class:`mtorsim.store.Store` or its folder (default: the default store); ``record=False`` skips it.
    progress : show a Rich progress bar.

    Returns
    -------
    ReportResult : paths of the page and its JSON, the store's run id and the scorecard.
    """
    from ..simulate._engine import get_engine, parameter_set_id
    from ..store import Store

    spec = spec or ReportSpec(quick=quick, seed=seed)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    psid = parameter_set_id(get_engine().defaults)
    meta = {"created": datetime.now(timezone.utc).isoformat(timespec="seconds"), "seed": spec.seed,
            "parameter_set_id": psid, "versions": _all_versions(), "quick": spec.quick,
            "cells": list(spec.cells), "drugs": {d: DRUGS[d] for d in spec.drugs}}
    run_spec = {"out": str(out.resolve()), "quick": spec.quick, "cells": list(spec.cells), "drugs": list(spec.drugs),
                "hours": spec.hours}
    st = None if not record else (store if isinstance(store, Store) else Store(store))
    ctx = st.start("report", run_spec, seed=spec.seed, parameter_set_id=psid) if st is not None else None
    handle = ctx.__enter__() if ctx is not None else None
    try:
        data: dict = {}
        sections, timings = [], {}
        bar = _progress(progress)
        with bar:
            task = bar.add_task("report", total=len(STEPS) + 1)
            for key, fn in STEPS:
                bar.update(task, description=SECTIONS[key])
                t = time.perf_counter()
                sections.append((key, SECTIONS[key], fn(spec, data)))
                timings[key] = round(time.perf_counter() - t, 2)
                bar.advance(task)
            bar.update(task, description="writing")
            meta["wall_s"] = time.perf_counter() - t0
            meta["timings_s"] = timings
            meta["run_id"] = handle.run_id if handle is not None else None
            card = data["scorecard"]
            meta["scorecard"] = {"agree": int(card.agree.sum()), "total": int(len(card))}
            sections.append(("provenance", SECTIONS["provenance"], _provenance(spec, meta)))
            header = (f"<p class='prov'>mtorsim {escape(meta['versions'].get('mtorsim'))} · parameter set "
                      f"<code>{escape(psid)}</code> · seed {spec.seed} · {escape(meta['created'])} · "
                      f"{'quick' if spec.quick else 'full'} mode · scorecard {meta['scorecard']['agree']}/"
                      f"{meta['scorecard']['total']} agree</p>")
            html_path, json_path = out / "report.html", out / "report.json"
            write_text_atomic(html_path, page("mtorsim report: PI3K/Akt/mTOR inhibitors in breast cancer lines", sections, header))
            meta["files"] = {"html": html_path.name, "json": json_path.name}
            write_text_atomic(json_path, json.dumps(meta, indent=2, default=str) + "\n")
            bar.advance(task)
        if handle is not None:
            handle.save_table("scorecard", card.astype({"agree": bool}))
            handle.save_table("timecourse_summary", data["timecourse_summary"])
            handle.save_table("dose_response_metrics", data["dose_response"].metrics)
            handle.save_table("network_activity", data["network_activity"].reset_index(names="node"))
            handle.save_table("trial_comparison", data["trial_comparison"])
    except BaseException as exc:
        if ctx is not None:
            ctx.__exit__(type(exc), exc, exc.__traceback__)
        raise
    if ctx is not None:
        ctx.__exit__(None, None, None)
    return ReportResult(html_path, json_path, meta["run_id"], card, timings)


def _all_versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version
    v = dict(versions())
    for pkg in ("matplotlib", "rich", "typer", "duckdb"):
        try:
            v[pkg] = version(pkg)
        except PackageNotFoundError:
            v[pkg] = "not installed"
    return v


def _progress(show: bool):
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
    return Progress(TextColumn("[bold]{task.description:<40}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                    TimeElapsedColumn(), disable=not show, transient=False)
