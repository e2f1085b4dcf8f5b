"""``mtorsim simulate-many``: a table of conditions, simulated on local cores or a Dask cluster."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer


def register(app: typer.Typer) -> None:
    """Add the ``simulate-many`` command to ``app``."""
    from ._app import console, err, print_frame, run_guarded

    @app.command("simulate-many")
    def simulate_many_cmd(
        conditions: Path = typer.Argument(..., help="Conditions table (.csv/.tsv): cell, drugs, medium, "
                                                    "param:<name>, ... (see mtorsim.simulate.CONDITION_COLUMNS)."),
        out: Path = typer.Option(..., "--out", help="Directory for the chunks, manifest and result.nc (resumable)."),
        backend: str = typer.Option("auto", "--backend", help="auto | serial | processes | dask."),
        workers: Optional[int] = typer.Option(None, "--workers", help="Worker processes (default: all cores)."),
        scheduler: Optional[str] = typer.Option(None, "--scheduler", help="Dask scheduler tcp://host:port, or 'local'."),
        hours: str = typer.Option("48", "--hours", help="Duration in hours."),
        points: int = typer.Option(97, "--points", help="Number of output times."),
        normalize: str = typer.Option("reference", "--normalize", help="reference | cell | none."),
        chunk_size: Optional[int] = typer.Option(None, "--chunk-size", help="Conditions per task (expert)."),
        resume: bool = typer.Option(True, "--resume/--no-resume", help="Skip chunks already in --out."),
        seed: Optional[int] = typer.Option(None, "--seed", help="Seed of whatever sampled the table, recorded with the "
                                                                "result (the simulations themselves are deterministic)."),
        quiet: bool = typer.Option(False, "--quiet", help="No progress bar and no summary."),
    ) -> None:
        """Simulate every row of a conditions table; failed conditions are listed, never fatal.

        Example: mtorsim simulate-many panel.csv --out runs/panel --backend processes --workers 2
        """
        from .._io import write_result
        from ..simulate import failures, simulate_many

        def go():
            ds = simulate_many(conditions, hours=hours, n_points=points, normalize=normalize, backend=backend,
                               n_workers=workers, scheduler=scheduler, out=out, resume=resume, chunk_size=chunk_size,
                               progress=not quiet, seed=seed)
            write_result(ds, out / "result.nc")
            if quiet:
                return
            a = ds.attrs
            console.print(f"{a['n_conditions']} conditions · backend {a['backend']} · {a['n_workers']} worker(s) · "
                          f"{a['n_chunks']} chunks ({a['n_chunks_resumed']} resumed) · {a['wall_seconds']:.1f} s")
            if a["n_failed"] or a["n_retried"]:
                print_frame(failures(ds).head(50), title=f"{a['n_failed']} failed, {a['n_retried']} retried")
                err.print(f"failures: {a['failures']}")
            console.print(f"wrote {out / 'result.nc'}")
        run_guarded(go)
