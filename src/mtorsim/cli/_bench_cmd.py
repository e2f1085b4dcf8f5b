"""``mtorsim bench``: overhead, scaling and cache figures as ratios measured in the same run."""

from __future__ import annotations

from typing import Optional

import typer


def register(app: typer.Typer) -> None:
    """Add the ``bench`` command to ``app``."""
    from ._app import console, run_guarded
    from ._common import check_format, emit_table, format_option, quiet_option, working

    @app.command("bench")
    def bench_cmd(
        quick: bool = typer.Option(False, "--quick", help="Small sizes (about a minute on 2 cores)."),
        n: Optional[int] = typer.Option(None, "--n", help="Simulations for the scaling benchmark (default 10,000; "
                                                           "1,000 with --quick)."),
        dask: bool = typer.Option(True, "--dask/--no-dask", help="Include a 2-worker Dask LocalCluster."),
        fmt: str = format_option(),
        quiet: bool = quiet_option(),
    ) -> None:
        """Run the benchmarks in benchmarks/ and print each figure as a ratio; the last line sums them up.

        Example: mtorsim bench --quick
        """
        from rich.table import Table

        from .._benchmarks import run_all, summary_line

        def go():
            check_format(fmt)
            with working("running the benchmarks", quiet):
                results = run_all(quick=quick, n=n, dask=dask)
            if quiet:
                return
            if fmt != "table":
                import pandas as pd
                emit_table(pd.DataFrame([{"benchmark": r.name, "ratio": r.ratio, "what": r.meaning, **r.details}
                                         for r in results]), fmt)
                return
            table = Table(title="mtorsim bench (ratios against references measured in this run)")
            for c in ("benchmark", "ratio", "what", "details"):
                table.add_column(c)
            for r in results:
                det = ", ".join(f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}" for k, v in r.details.items())
                table.add_row(r.name, f"{r.ratio:.3g}", r.meaning, det)
            console.print(table)
            print(summary_line(results))
        run_guarded(go)
