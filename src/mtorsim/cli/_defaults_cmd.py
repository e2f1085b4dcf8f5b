"""``mtorsim calibrate-defaults``: refit the model's kinetic defaults to the public data (issue 5 §3).

A thin layer over :func:`mtorsim.calibrate._defaults.calibrate_defaults`. Attach it with ``register(app)``.
"""

from __future__ import annotations

from pathlib import Path

import typer

__all__ = ["register"]


def register(app: typer.Typer) -> None:
    """Add the ``calibrate-defaults`` command to ``app``."""

    @app.command("calibrate-defaults")
    def calibrate_defaults_cmd(
            out: Path = typer.Option(..., "--out", help="Folder for fitted.json, parameters.csv and starts.csv."),
            starts: int = typer.Option(1, "--starts", help="Optimiser starts (the first from the literature values; 1 = the adopted protocol)."),
            seed: int = typer.Option(0, "--seed", help="Seed of the random starts."),
            max_nfev: int = typer.Option(25, "--max-nfev", help="Residual evaluations per start (25 = the adopted protocol)."),
            workers: int = typer.Option(1, "--workers", help="Local processes running starts in parallel."),
            layer: str = typer.Option("signalling", "--layer", help="signalling (network kinetics vs Imoto/Nelander), fate (cell-fate "
                                      "parameters vs the LINCS GR panel) or potency (the kinase inhibitors' cellular "
                                      "potency factors vs the panel's GR50s)."),
            quiet: bool = typer.Option(False, "--quiet", help="Print only the path of the written file."),
    ) -> None:
        """Fit the kinetic parameters listed in docs/defaults.md to Imoto 2022 and Nelander 2008 (with
        evidence records as penalties) and report the fit on training and held-out data. With the
        default options this reproduces the network's defaults (the adopted protocol, ~45 s).

        With --layer fate, refit the global cell-fate parameters to the HMS LINCS breast GR panel instead
        (every third line held out) and write fate_fit.json. With --layer potency, fit each
        ATP-competitive PI3K/AKT/mTOR inhibitor's cellular potency factor to the panel's GR50s (same
        split) and write potency_fit.csv and potency_lines.csv.

        Examples: mtorsim calibrate-defaults --out fit_defaults/
                  mtorsim calibrate-defaults --layer fate --out fit_fate/
                  mtorsim calibrate-defaults --layer potency --out fit_potency/
        """
        from ._app import console, print_frame, run_guarded

        def go():
            from rich.progress import Progress

            from .._errors import InputError
            if layer not in ("signalling", "fate", "potency"):
                raise InputError("--layer", layer, "signalling, fate or potency")
            if layer == "fate":
                return _fate(out, quiet)
            if layer == "potency":
                return _potency(out, quiet)

            from ..calibrate._defaults import calibrate_defaults
            with Progress(transient=True, disable=quiet) as bar:
                task = bar.add_task("starts", total=starts)
                res = calibrate_defaults(starts=starts, seed=seed, max_nfev=max_nfev, workers=workers,
                                         progress=lambda done, total: bar.update(task, completed=done))
            path = res.save(out)
            if quiet:
                console.print(str(path))
                return
            print_frame(res.starts[["start", "cost", "status", "nfev", "seconds"]], title="starts (cost = ½ Σ r², training)")
            print_frame(res.before, title="fit at the literature values (before)")
            print_frame(res.after, title="fit at the fitted values (after)")
            print_frame(res.penalties_after[["evidence", "statement", "value", "holds"]], title="evidence constraints (after)")
            print_frame(res.parameter_table(), title="parameters")
            console.print(f"wrote {path}")

        run_guarded(go)


def _fate(out: Path, quiet: bool) -> None:
    import json
    from dataclasses import asdict

    from .._io import write_frame_atomic, write_text_atomic
    from .._version import versions
    from ..calibrate._defaults import calibrate_fate
    from ..fate._calibrate import fate_parameters_table
    from ._app import console, print_frame
    fit = calibrate_fate()
    out.mkdir(parents=True, exist_ok=True)
    doc = {"parameters": {k: float(v) for k, v in asdict(fit.params).items()}, "train_lines": list(fit.train_lines),
           "held_out_lines": list(fit.test_lines), "metrics": fit.metrics.to_dict("records"), "versions": versions()}
    write_text_atomic(out / "fate_fit.json", json.dumps(doc, indent=2))
    write_frame_atomic(fit.predictions, out / "fate_predictions.csv")
    if quiet:
        console.print(str(out / "fate_fit.json"))
        return
    print_frame(fit.metrics, title="fate fit: GR_AOC / GRmax on training and held-out lines")
    print_frame(fate_parameters_table(fit.params), title="fitted fate parameters")
    console.print(f"wrote {out / 'fate_fit.json'}")


def _potency(out: Path, quiet: bool) -> None:
    from ..calibrate._potency import calibrate_potency
    from ._app import console, print_frame
    fit = calibrate_potency(progress=not quiet)
    path = fit.save(out)
    if quiet:
        console.print(str(path))
        return
    cols = ["drug", "n_train_finite", "n_held_out_finite", "factor_current", "factor_fitted", "ratio_train_current",
            "ratio_held_out_fitted", "spread_train_gsd"]
    print_frame(fit.table[cols].round(3), title="cellular potency factors (ratio = model GR50 / measured GR50, geometric mean)")
    console.print(f"wrote {path}")
