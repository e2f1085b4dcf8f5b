"""``mtorsim report`` and ``mtorsim validate scorecard``: thin layers over
:func:`mtorsim.report.build_report` and :func:`mtorsim.evidence.scorecard`. Attach with ``register(app)``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer

__all__ = ["register"]

_STORE_HELP = "Store folder (default: $MTORSIM_STORE, else mtorsim/store under the user data directory)."


def register(app: typer.Typer) -> None:
    """Add ``report`` to ``app`` and ``scorecard`` to its ``validate`` group (``cli._commands.validate_app``)."""
    from ._app import console, print_frame, run_guarded
    from ._commands import validate_app

    @app.command("report")
    def report_cmd(
        out: Path = typer.Option(Path("report"), "--out", help="Output folder for report.html and report.json."),
        quick: bool = typer.Option(False, "--quick", help="CI mode: 2 lines, 2 drugs, fewer doses; no screens in the scorecard."),
        seed: int = typer.Option(0, "--seed", help="Seed recorded in the report and the store."),
        store: Optional[Path] = typer.Option(None, "--store", help=_STORE_HELP),
        no_store: bool = typer.Option(False, "--no-store", help="Do not record the run in the results store."),
        quiet: bool = typer.Option(False, "--quiet", help="No progress bar; print only the paths."),
    ) -> None:
        """Write a self-contained HTML report (figures embedded, opens offline).

        MCF7, BT-474, MDA-MB-231 and MCF7-LTED under everolimus, sapanisertib, alpelisib and capivasertib,
        alone and with fulvestrant or exemestane: time courses, dose-response and GR curves, a synergy map,
        the network coloured by activity and the model-vs-evidence scorecard.

        Example: mtorsim report --out report/          (mtorsim report --out /tmp/r --quick for CI)
        """
        from ..report import build_report

        def go():
            res = build_report(out, quick=quick, seed=seed, store=store, record=not no_store, progress=not quiet)
            card = res.scorecard
            console.print(f"wrote {res.html}")
            console.print(f"wrote {res.json}")
            if res.run_id:
                console.print(f"recorded run {res.run_id}")
            console.print(f"scorecard: {int(card.agree.sum())}/{len(card)} agree")
        run_guarded(go)

    @validate_app.command("scorecard")
    def scorecard_cmd(
        quick: bool = typer.Option(False, "--quick", help="Core-model checks and Nelander 2008 only (seconds)."),
        as_json: bool = typer.Option(False, "--json", help="Print machine-readable JSON instead of a table."),
        out: Optional[Path] = typer.Option(None, "--out", help="Also write the table (.csv)."),
        fmt: str = typer.Option("table", "--format", help="Printed output: table, csv or json (json = --json)."),
        quiet: bool = typer.Option(False, "--quiet", help="Print nothing but errors."),
    ) -> None:
        """Every evidence-backed check as one table: evidence id, statement, model, published, agreement.

        The last line is "scorecard: N/M agree". Example: mtorsim validate scorecard --quick --json
        """
        from .._io import write_result
        from ..evidence._scorecard import scorecard

        def go():
            from ._common import check_format
            f = "json" if as_json else check_format(fmt)
            from ._common import working
            with working("scoring the model against the evidence", quiet):
                card = scorecard(quick=quick)
            n, m = int(card.agree.sum()), len(card)
            if out is not None:
                write_result(card, out)
            if quiet:
                return
            if f == "csv":
                typer.echo(card.to_csv(index=False), nl=False)
            elif f == "json":
                payload = {"agree": n, "total": m, "quick": quick, "checks": card.to_dict(orient="records")}
                typer.echo(json.dumps(payload, ensure_ascii=False))
            else:
                print_frame(card[["evidence", "check", "model", "published", "agree"]], title="mtorsim scorecard", max_rows=500)
            typer.echo(f"scorecard: {n}/{m} agree")
        run_guarded(go)
