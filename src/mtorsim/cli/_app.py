"""Typer application. Every command prints or writes what the matching API function returns.

Exit codes: 0 success; 1 the computation failed; 2 bad input (unknown name, bad dose or unit, and
Click's usage errors); 3 the ODE solver failed. Errors are one readable line; ``--debug`` shows the
traceback. The shared conventions (options, formats, error handling) live in ``_common.py``.
"""

from __future__ import annotations

import sys

import typer
from rich.console import Console
from rich.table import Table


app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="mtorsim: PI3K/Akt/mTOR signalling in breast cancer, from mutation to molecule.",
                  epilog="Exit codes: 0 success, 1 the computation failed, 2 bad input, 3 the ODE solver failed. "
                         "Errors are one line; 'mtorsim --debug COMMAND ...' shows the traceback. See docs/cli.md.")
console = Console()
err = Console(stderr=True)
from ._common import state as _state  # noqa: E402  (the --debug flag, shared with _common.run_guarded)


@app.callback()
def _root(debug: bool = typer.Option(False, "--debug", help="Show full tracebacks on errors.")) -> None:
    _state["debug"] = debug


def run_guarded(fn):
    """Run ``fn`` turning errors into one-line messages and exit codes (see ``_common.run_guarded``)."""
    from ._common import run_guarded as _guarded
    return _guarded(fn)


def print_frame(df, title: str = "", max_rows: int = 200) -> None:
    table = Table(title=title, show_lines=False)
    cols = [df.index.name or ""] + list(df.columns) if df.index.name else list(df.columns)
    for c in cols:
        table.add_column(str(c), overflow="fold")  # a narrow terminal wraps long names instead of hiding them
    for idx, row in df.head(max_rows).iterrows():
        vals = ([str(idx)] if df.index.name else []) + [(f"{v:.3g}" if isinstance(v, float) else str(v)) for v in row.values]
        table.add_row(*vals)
    console.print(table)


_registered = False


def _register() -> None:
    """Attach every command module to ``app`` (once)."""
    global _registered
    if _registered:
        return
    from . import _commands, _screen_cmds  # noqa: F401  (these attach themselves to `app`)
    from ._bench_cmd import register as register_bench
    from ._calibrate_cmd import register as register_calibrate
    from ._many_cmd import register as register_many
    from ._petab_cmd import register as register_petab
    from ._pk_cmd import register as register_pk
    from ._report_cmd import register as register_report
    from ._runs_cmd import register as register_runs
    from ._sbml_cmd import register as register_sbml

    register_petab(app)
    register_runs(app)
    register_calibrate(app)
    __import__("mtorsim.cli._sample_cmd", fromlist=["register"]).register(app)
    register_report(app)
    register_pk(app)
    register_sbml(app)
    register_many(app)
    register_bench(app)
    from ._serve_cmd import register as register_serve
    register_serve(app)
    from ._defaults_cmd import register as register_defaults
    register_defaults(app)
    from ._trial_cmd import register as register_trial
    register_trial(app)
    _registered = True


def main() -> None:
    _register()
    app(prog_name="mtorsim")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
