"""``mtorsim runs list|show|export|rm``: the results store from the command line.

A thin layer over :class:`mtorsim.store.Store`. Attach it with ``register(app)``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.table import Table

__all__ = ["register"]

_STORE_HELP = "Store folder (default: $MTORSIM_STORE, else mtorsim/store under the user data directory)."


def _guard(fn):
    """Run ``fn`` through the application's error handling (one line, non-zero exit code)."""
    try:
        from ._app import run_guarded
    except ImportError:  # pragma: no cover - used outside the mtorsim application
        run_guarded = None
    if run_guarded is not None:
        return run_guarded(fn)
    from .._errors import InputError, MtorsimError  # pragma: no cover

    try:  # pragma: no cover
        return fn()
    except MtorsimError as exc:  # pragma: no cover
        Console(stderr=True).print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2 if isinstance(exc, InputError) else 1) from None


def _fmt(v) -> str:
    if v is None:
        return ""
    try:
        import pandas as pd

        if pd.isna(v):
            return ""
    except (TypeError, ValueError):
        pass
    if isinstance(v, float):
        return f"{v:.3g}"
    if hasattr(v, "isoformat"):
        return v.isoformat(sep=" ", timespec="seconds")
    return str(v)


def _short(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


_STATUS_STYLE = {"finished": "green", "failed": "red", "killed": "yellow", "running": "cyan"}


def register(app: typer.Typer) -> None:
    """Add the ``runs`` command group (``list``, ``show``, ``export``, ``rm``) to ``app``."""
    runs_app = typer.Typer(no_args_is_help=True, add_completion=False,
                           help="The results store: every recorded run, its specification and its tables.")

    def _store(path: Optional[Path]):
        from ..store import Store

        return Store(path)

    @runs_app.command("list")
    def list_cmd(
        kind: Optional[str] = typer.Option(None, "--kind", help="Only runs of this kind (simulate, screen, trial...)."),
        status: Optional[str] = typer.Option(None, "--status", help="Only runs with this status: running, finished, "
                                                                     "failed or killed."),
        fmt: str = typer.Option("table", "--format", help="table, csv or json."),
        store: Optional[Path] = typer.Option(None, "--store", help=_STORE_HELP),
    ) -> None:
        """List recorded runs, oldest first.

        Example: mtorsim runs list --kind screen --status finished
        """

        def go():
            from .._errors import InputError

            if fmt not in ("table", "csv", "json"):
                raise InputError("--format", fmt, "table, csv or json")
            df = _store(store).list(kind=kind, status=status)
            if fmt == "csv":
                typer.echo(df.to_csv(index=False), nl=False)
                return
            if fmt == "json":
                typer.echo(df.to_json(orient="records", date_format="iso"))
                return
            console = Console()
            table = Table(title=f"runs in {_store(store).path}" if len(df) else None)
            table.add_column("run_id", no_wrap=True, min_width=12)
            table.add_column("kind", no_wrap=True)
            table.add_column("status", no_wrap=True)
            table.add_column("started UTC", no_wrap=True)
            table.add_column("wall s", justify="right", no_wrap=True)
            table.add_column("seed", justify="right", no_wrap=True)
            table.add_column("tables", justify="right", no_wrap=True)
            wide = console.width >= 96  # narrower terminals: the error is in `runs show` and --format csv/json
            if wide:
                table.add_column("error", overflow="fold")
            for _, r in df.iterrows():
                st = r["status"]
                started = r["started"].strftime("%y-%m-%d %H:%M") if hasattr(r["started"], "strftime") else ""
                wall = "" if _fmt(r["wall_s"]) == "" else f"{r['wall_s']:.2f}"
                cells = [r["run_id"], r["kind"], f"[{_STATUS_STYLE.get(st, 'white')}]{st}[/]", started, wall,
                         _fmt(r["seed"]), str(r["tables"])]
                table.add_row(*cells, *([_short(_fmt(r["error"]), 60)] if wide else []))
            if len(df):
                console.print(table)
            else:
                console.print("no runs recorded" + (" matching the filters" if kind or status else ""))

        _guard(go)

    @runs_app.command("show")
    def show_cmd(
        run_id: str = typer.Argument(..., help="Run id, or a unique prefix of 4+ characters."),
        fmt: str = typer.Option("table", "--format", help="table or json."),
        store: Optional[Path] = typer.Option(None, "--store", help=_STORE_HELP),
    ) -> None:
        """Show everything recorded about one run: specification, versions, timing and tables.

        Example: mtorsim runs show 3f9a
        """

        def go():
            from .._errors import InputError

            if fmt not in ("table", "json"):
                raise InputError("--format", fmt, "table or json")
            info = _store(store).show(run_id)
            if fmt == "json":
                typer.echo(json.dumps(info, indent=2, default=str))
                return
            console = Console()
            head = Table(show_header=False, title=f"run {info['run_id']}")
            head.add_column("field", style="bold")
            head.add_column("value")
            for k in ("kind", "status", "started", "ended", "wall_s", "seed", "parameter_set_id", "error", "pid",
                      "host", "resumed", "store"):
                v = info.get(k)
                if k == "status":
                    v = f"[{_STATUS_STYLE.get(v, 'white')}]{v}[/]"
                head.add_row(k, _fmt(v))
            head.add_row("versions", ", ".join(f"{p} {v}" for p, v in info["versions"].items()))
            console.print(head)
            console.print("[bold]specification[/bold]")
            console.print_json(json.dumps(info["spec"], default=str))
            if info["tables"]:
                tabs = Table(title="tables")
                for c in ("name", "type", "storage", "rows", "columns", "path"):
                    tabs.add_column(c)
                for t in info["tables"]:
                    tabs.add_row(t["name"], t["type"], t["storage"], str(t["rows"]), str(t["columns"]), t["path"] or "")
                console.print(tabs)
            else:
                console.print("no tables")

        _guard(go)

    @runs_app.command("export")
    def export_cmd(
        run_id: str = typer.Argument(..., help="Run id, or a unique prefix of 4+ characters."),
        out: Path = typer.Argument(..., help="Folder to write run.json and the tables into (created if needed)."),
        fmt: str = typer.Option("csv", "--format", help="csv (Datasets as netCDF .nc) or parquet."),
        store: Optional[Path] = typer.Option(None, "--store", help=_STORE_HELP),
        quiet: bool = typer.Option(False, "--quiet", help="Print nothing but errors."),
    ) -> None:
        """Write a run's record (run.json) and its tables into a folder.

        Example: mtorsim runs export 3f9a results/run-3f9a
        """

        def go():
            paths = _store(store).export(run_id, out, format=fmt)
            console = Console(quiet=quiet)
            for p in paths:
                console.print(f"wrote {p}")

        _guard(go)

    @runs_app.command("rm")
    def rm_cmd(
        run_ids: list[str] = typer.Argument(..., help="Run ids (or unique prefixes of 4+ characters)."),
        force: bool = typer.Option(False, "--force", help="Remove even a run whose process is still running."),
        store: Optional[Path] = typer.Option(None, "--store", help=_STORE_HELP),
        quiet: bool = typer.Option(False, "--quiet", help="Print nothing but errors."),
    ) -> None:
        """Remove runs with their tables and Parquet files.

        Example: mtorsim runs rm 3f9a 77c0
        """

        def go():
            s = _store(store)
            console = Console(quiet=quiet)
            for rid in run_ids:
                console.print(f"removed {s.remove(rid, force=force)}")

        _guard(go)

    app.add_typer(runs_app, name="runs")
