"""``mtorsim trial run|list`` and ``mtorsim validate trials``: virtual clinical trials (issue 6).

A thin layer over :func:`mtorsim.trial.run_trial` and :func:`mtorsim.trial.validate_trials`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from ._common import check_format, emit_table, format_option, quiet_option, run_guarded, seed_option

__all__ = ["register"]


def _num(x) -> str:
    """A simulated or published number as a reader wants it: 3 significant figures, "-" when missing."""
    try:
        v = float(x)
    except (TypeError, ValueError):
        return str(x)
    return "-" if v != v else f"{v:.3g}"


def _validation_view(df):
    """The columns of the validation table a terminal can show: the median with its replicate range, the published
    value, the criterion and how many replicates agree."""
    import pandas as pd
    view = {"trial": df["trial"], "endpoint": df["endpoint"], "arm": df["arm"], "simulated": [_num(v) for v in df["simulated"]]}
    replicated = "simulated_min" in df.columns    # one replicate: no range, no share
    if replicated:
        view["range"] = [f"{_num(a)}-{_num(b)}" for a, b in zip(df["simulated_min"], df["simulated_max"])]
    view.update({"published": [_num(v) for v in df["published"]], "criterion": df["criterion"]})
    view["agrees"] = ([f"{'yes' if a else 'NO'} ({round(s * r)}/{r})" for a, s, r in zip(df["agree"], df["agree_share"], df["replicates"])]
                      if replicated else ["yes" if a else "NO" for a in df["agree"]])
    return pd.DataFrame(view)


def _adverse_event_table(arms: dict):
    """One row per arm and adverse event: the share of the arm's patients with it at any grade and at grade 3-4, then
    per arm its dose reductions per patient and the share who stopped a drug for adverse events; None when no arm has
    adverse events."""
    import pandas as pd
    if not any(a.get("adverse_events") for a in arms.values()):
        return None
    rows = []
    for arm, a in arms.items():
        for e, r in sorted((a.get("adverse_events") or {}).items()):
            rows.append({"arm": arm, "event": e, "any_grade": r["any_grade"], "grade_3_4": r["grade_3_4"]})
        if a.get("adverse_events"):
            rows.append({"arm": arm, "event": "dose reductions per patient", "any_grade": a.get("dose_reductions_per_patient", 0.0),
                         "grade_3_4": ""})
            rows.append({"arm": arm, "event": "stopped a drug for adverse events", "any_grade": a.get("discontinued_for_ae", 0.0),
                         "grade_3_4": ""})
    return pd.DataFrame(rows)


def _exposure_response_table(arms: dict):
    """One row per arm and drug with between-patient exposure: median exposure and, per 2-fold exposure, the PFS
    hazard ratio and the odds ratios of tumour shrinkage and response with their 95 % CIs; None when there are none."""
    import pandas as pd

    def fmt(m):
        v, (lo, hi) = m["value"], m["ci"]
        return f"{v:.2f} ({lo:.2f}-{hi:.2f})"
    rows = [{"arm": arm, "drug": d, "n": e["n"], "median exposure (nM)": round(e["exposure_median_nM"], 3),
             "PFS HR per 2x": fmt(e["pfs_hr_per_doubling"]), "shrinkage OR per 2x": fmt(e["tumour_shrinkage_or_per_doubling"]),
             "response OR per 2x": fmt(e["orr_or_per_doubling"])}
            for arm, a in arms.items() for d, e in (a.get("exposure_response") or {}).items()]
    return pd.DataFrame(rows) if rows else None


def register(app: typer.Typer) -> None:
    trial_app = typer.Typer(help="Virtual clinical trials: write a trial as YAML, run it, compare it with the published one.",
                            no_args_is_help=True)
    app.add_typer(trial_app, name="trial")

    @trial_app.command("run")
    def trial_run(spec: str = typer.Argument(..., help="A built-in trial (mtorsim trial list) or a trial YAML file."),
                  seed: int = seed_option(0),
                  out: Optional[Path] = typer.Option(None, "--out", help="Folder: summary.json, patients.csv/.parquet, "
                                                     "adverse_events.parquet, km.png (km_os.png with the os endpoint), checkpoints (resumable)."),
                  patients: Optional[int] = typer.Option(None, "--patients", help="Override the number of patients."),
                  workers: int = typer.Option(1, "--workers", help="Run chunks of patients on a Dask LocalCluster of this size."),
                  scheduler: Optional[str] = typer.Option(None, "--scheduler", help="A Dask scheduler address (tcp://host:port)."),
                  fmt: str = format_option(), quiet: bool = quiet_option()) -> None:
        """Run a virtual trial and print per-arm endpoints and the hazard ratio.

        Example: mtorsim trial run bolero2 --seed 1 --out bolero2/
        """
        def go():
            import pandas as pd

            from ..trial import run_trial
            sched = scheduler if scheduler else ("local" if workers > 1 else None)
            res = run_trial(spec, seed=seed, patients=patients, out=out, progress=not quiet, scheduler=sched, n_workers=workers)
            rows = []
            for arm, a in res.summary["arms"].items():
                rows.append({"arm": arm, "n": a["n"], "median_PFS_months": a.get("median_pfs_months"),
                             "95%_CI": "{:.1f}-{:.1f}".format(*a["median_pfs_95ci"]) if a.get("median_pfs_95ci") else "",
                             "ORR": a.get("orr"), "CBR": a.get("cbr"),
                             **({"median_OS_months": a["median_os_months"], "deaths": a["deaths"]} if "median_os_months" in a else {})})
            emit_table(pd.DataFrame(rows), fmt, title=f"{res.spec.title} (seed {seed})", quiet=quiet)
            if not quiet and fmt == "table":
                from rich.console import Console
                for name, c in res.summary["comparisons"].items():
                    Console().print(f"{name}: PFS HR {c['hazard_ratio']:.2f} (95% CI {c['hr_95ci'][0]:.2f}-{c['hr_95ci'][1]:.2f}), "
                                    f"log-rank p = {c['logrank_p']:.2g}")
                    if c.get("subgroups"):
                        Console().print("  PFS HR by subgroup: " + "; ".join(
                            f"{label} (n={g['n']}) {g['hazard_ratio']:.2f} ({g['hr_95ci'][0]:.2f}-{g['hr_95ci'][1]:.2f})"
                            for label, g in c["subgroups"].items()))
                    if "os" in c:
                        o = c["os"]
                        Console().print(f"{name}: OS HR {o['hazard_ratio']:.2f} (95% CI {o['hr_95ci'][0]:.2f}-{o['hr_95ci'][1]:.2f}), "
                                        f"log-rank p = {o['logrank_p']:.2g}")
                ae = _adverse_event_table(res.summary["arms"])
                if ae is not None:
                    emit_table(ae, fmt, title="adverse events (share of patients) and dose changes", quiet=quiet)
                er = _exposure_response_table(res.summary["arms"])
                if er is not None:
                    emit_table(er, fmt, title="exposure-response within each arm (full-dose tumour-site exposure, days 8-28)", quiet=quiet)
                if out is not None:
                    Console().print(f"wrote {out}/summary.json, patients.csv, km.png" + (", km_os.png" if "os_months" in res.outcomes else ""))
        run_guarded(go)

    @trial_app.command("list")
    def trial_list(fmt: str = format_option(), quiet: bool = quiet_option()) -> None:
        """List the built-in trials with their evidence ids.

        Example: mtorsim trial list --format csv
        """
        def go():
            import pandas as pd

            from ..trial import builtin_trials, load_spec
            rows = []
            for n in builtin_trials():
                s = load_spec(n)
                rows.append({"name": n, "patients": s.patients, "arms": " | ".join(a.name for a in s.arms),
                             "evidence": ", ".join(s.evidence), "title": s.title})
            emit_table(pd.DataFrame(rows), fmt, title="built-in trials", quiet=quiet)
        run_guarded(go)

    from ._commands import validate_app

    @validate_app.command("trials")
    def validate_trials_cmd(trials: Optional[str] = typer.Option(None, "--trials", help="Comma-separated built-in trials (default: all)."),
                            seed: int = seed_option(0),
                            patients: Optional[int] = typer.Option(None, "--patients", help="Patients per trial (default: each spec's; smaller is faster)."),
                            replicates: int = typer.Option(3, "--replicates", help="Replicate trials (seeds seed, seed+1, ...): median, range and share of replicates that agree (a row agrees when at least half do); 1 for a single trial."),
                            workers: Optional[int] = typer.Option(None, "--workers", help="Processes running the trials (one trial per task; default: 2, at most the CPUs); the table does not depend on it."),
                            out: Optional[Path] = typer.Option(None, "--out", help="Write the table (.csv)."),
                            fmt: str = format_option(), quiet: bool = quiet_option()) -> None:
        """Run the built-in trials and print simulated vs published numbers side by side.

        Each trial is run --replicates times (seeds seed, seed+1, ...; 3 by default): one virtual trial is one
        draw, and the median of several says what the model predicts.

        Example: mtorsim validate trials --trials bolero2 --patients 300
                 mtorsim validate trials --trials bolero2 --replicates 10
        """
        def go():
            from ..trial import validate_trials
            from ..trial._validate import DEFAULT_WORKERS
            names = [t.strip() for t in trials.split(",")] if trials else None
            df = validate_trials(names, seed=seed, patients=patients, progress=not quiet, replicates=replicates,
                                 workers=DEFAULT_WORKERS if workers is None else workers)
            if out is not None:
                df.to_csv(out, index=False)
            if check_format(fmt) == "table":
                # the full frame has 12 columns and long evidence strings: a terminal shows the readable core
                emit_table(_validation_view(df), fmt, title="virtual trials vs published", quiet=quiet)
                if not quiet:
                    from ._app import console
                    reps = int(df["replicates"].max()) if "replicates" in df.columns else 1
                    console.print(f"{int(df['agree'].sum())} of {len(df)} rows agree ({f'median of {reps} replicate trials' if reps > 1 else 'one trial each'}; "
                                  "--format csv or --out for every column, evidence ids included)")
            else:
                emit_table(df, fmt, title="virtual trials vs published", quiet=quiet)
        run_guarded(go)
