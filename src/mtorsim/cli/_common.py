"""Conventions shared by every ``mtorsim`` command: options, output formats, errors, exit codes.

A command module adopts them like this::

    from ._common import format_option, out_option, quiet_option, run_guarded, emit_table

    @app.command("thing")
    def thing(out: Optional[Path] = out_option("Write the table (.csv)."),
              fmt: str = format_option(), quiet: bool = quiet_option()) -> None:
        \"\"\"One line saying what it does.

        Example: mtorsim thing --out thing.csv
        \"\"\"
        def go():
            df = api_function(...)          # the CLI prints or writes what the API returns
            ...
            emit_table(df, fmt, title="thing", quiet=quiet)
        run_guarded(go)

Exit codes (documented in docs/cli.md; scripts can rely on them)
    0  success
    1  the computation failed (anything that is not bad input nor a solver failure)
    2  bad input: an unknown name, a bad dose, unit, value or file. This is also the code that
       Click/Typer use for usage errors (unknown option, missing argument), so every kind of bad
       input gives 2.
    3  the ODE solver failed (a kind of computation failure, kept apart so that scripts can retry
       with other solver settings; code 3 predates this module and is kept for compatibility).

Errors are printed as one line (``error: ...``) on standard error; the global ``--debug``
option (``mtorsim --debug COMMAND ...``) shows the full traceback instead.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Sequence

import typer
from rich.console import Console
from rich.markup import escape

from .._errors import InputError, MtorsimError, SimulationError

__all__ = ["EXIT_BAD_INPUT", "EXIT_CODES", "EXIT_FAILURE", "EXIT_OK", "EXIT_SOLVER", "FORMATS", "command_paths",
           "emit_table", "format_option", "working", "out_option", "quiet_option", "run_guarded", "seed_option", "state"]

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_BAD_INPUT = 2
EXIT_SOLVER = 3
EXIT_CODES = {EXIT_OK: "success", EXIT_FAILURE: "the computation failed", EXIT_BAD_INPUT: "bad input or usage",
              EXIT_SOLVER: "the ODE solver failed"}

#: printed-output formats of commands that print a table
FORMATS = ("table", "csv", "json")

#: process-wide CLI state; ``debug`` is set by the global ``--debug`` option
state = {"debug": False}

err = Console(stderr=True)


# -- options ------------------------------------------------------------------------------------------
def out_option(help: str = "Write the result here (the suffix picks the format: .csv, .nc, ...).", default=None):
    """``--out PATH``: where a command writes its result."""
    return typer.Option(default, "--out", help=help)


def seed_option(default: int | None = 0, help: str = "Seed of the random number generator (recorded with the result)."):
    """``--seed INT``: for every command that draws random numbers."""
    return typer.Option(default, "--seed", help=help)


def format_option(default: str = "table", choices: Sequence[str] = FORMATS, help: str | None = None):
    """``--format``: how a command prints its table on standard output (``table`` for people, ``csv`` and
    ``json`` for scripts)."""
    return typer.Option(default, "--format", help=help or f"Printed output: {', '.join(choices)}.")


def quiet_option(help: str = "Print nothing but errors."):
    """``--quiet``: no tables, no progress bars, no 'wrote ...' lines."""
    return typer.Option(False, "--quiet", help=help)


def check_format(fmt: str, choices: Sequence[str] = FORMATS) -> str:
    """Validate a ``--format`` value (bad input, exit code 2)."""
    f = str(fmt).lower()
    if f not in choices:
        raise InputError("--format", fmt, f"one of {', '.join(choices)}")
    return f


# -- output -------------------------------------------------------------------------------------------
def emit_table(df, fmt: str = "table", *, title: str = "", quiet: bool = False, max_rows: int = 200,
               console: Console | None = None) -> None:
    """Print a DataFrame as a Rich table, CSV or JSON records (all rows for csv/json)."""
    fmt = check_format(fmt)
    if quiet:
        return
    import pandas as pd

    keep_index = df.index.name is not None or not isinstance(df.index, pd.RangeIndex)
    if fmt == "csv":
        sys.stdout.write(df.to_csv(index=keep_index))
    elif fmt == "json":
        frame = df.reset_index() if keep_index else df
        sys.stdout.write(frame.to_json(orient="records", double_precision=15, default_handler=str, force_ascii=False) + "\n")
    else:
        from ._app import print_frame
        print_frame(df, title=title, max_rows=max_rows)


def working(message: str, quiet: bool = False):
    """A Rich spinner on standard error while a long step without its own progress bar runs
    (nothing when ``quiet``, and nothing animated when standard error is not a terminal)."""
    from contextlib import nullcontext

    if quiet or not err.is_terminal:
        return nullcontext()
    return err.status(message)


def emit_json(obj) -> None:
    """Print a JSON-able object (one document) on standard output."""
    sys.stdout.write(json.dumps(obj, indent=2, default=str, ensure_ascii=False) + "\n")


# -- errors -------------------------------------------------------------------------------------------
def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text or type(exc).__name__


def run_guarded(fn: Callable):
    """Run ``fn``; turn errors into one line on standard error and an exit code (see the module docstring).

    With ``--debug`` the exception propagates with its traceback. Typer/Click's own exits and usage errors
    pass through unchanged.
    """
    from typer._click.exceptions import ClickException

    try:
        return fn()
    except (typer.Exit, typer.Abort, ClickException, KeyboardInterrupt):
        raise
    except Exception as e:
        if state["debug"]:
            raise
        code, msg = classify(e)
    err.print(f"[red]error:[/red] {escape(msg)}", soft_wrap=True, highlight=False)
    raise typer.Exit(code)


def classify(e: BaseException) -> tuple[int, str]:
    """The exit code and the one-line message for an exception."""
    if isinstance(e, InputError):
        return EXIT_BAD_INPUT, _one_line(e)
    if isinstance(e, SimulationError):
        return EXIT_SOLVER, _one_line(e)
    if isinstance(e, MtorsimError):
        return EXIT_FAILURE, _one_line(e)
    if isinstance(e, (FileNotFoundError, IsADirectoryError, NotADirectoryError)):
        return EXIT_BAD_INPUT, (f"{e.strerror or type(e).__name__}: {e.filename}" if e.filename else _one_line(e))
    return EXIT_FAILURE, f"unexpected {type(e).__name__}: {_one_line(e)} (run 'mtorsim --debug ...' for the traceback)"


# -- introspection ------------------------------------------------------------------------------------
def iter_commands(app=None):
    """``(path, click_command)`` for every leaf command of the application (``path`` like ``runs list``)."""
    import typer.main

    if app is None:
        from ._app import _register, app as main_app
        _register()
        app = main_app
    root = typer.main.get_command(app)

    def walk(cmd, path):
        subs = getattr(cmd, "commands", None)
        if subs:
            for name, sub in sorted(subs.items()):
                yield from walk(sub, [*path, name])
        else:
            yield " ".join(path), cmd

    yield from walk(root, [])


def command_paths(app=None) -> list[str]:
    """Every leaf command of the application, e.g. ``["bench", ..., "runs list", ...]``."""
    return [p for p, _ in iter_commands(app)]
