"""``mtorsim petab evaluate PROBLEM.yaml``: χ², log-likelihood and the simulation table of a PEtab v1 problem.

A thin layer over :func:`mtorsim.calibrate.evaluate_petab`. Attach it with ``register(app)``.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.table import Table

__all__ = ["register"]


def _guard(fn):
    """Run ``fn`` through the application's error handling (one line, non-zero exit code)."""
    try:
        from ._app import run_guarded
    except ImportError:  # used outside the mtorsim application
        run_guarded = None
    if run_guarded is not None:
        return run_guarded(fn)
    from .._errors import InputError, MtorsimError, SimulationError

    try:
        return fn()
    except (InputError, SimulationError, MtorsimError) as exc:
        Console(stderr=True).print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2 if isinstance(exc, InputError) else 3 if isinstance(exc, SimulationError) else 1) from None


def register(app: typer.Typer) -> None:
    """Add the ``petab`` command group (``evaluate``) to ``app``."""
    petab_app = typer.Typer(no_args_is_help=True, add_completion=False,
                            help="PEtab v1 problems simulated with libRoadRunner.")

    @petab_app.command("evaluate")
    def evaluate_cmd(
        problem: Path = typer.Argument(..., help="The problem's YAML file."),
        out: Optional[Path] = typer.Option(None, "--out", help="Folder for simulations.tsv and conditions.tsv."),
        rtol: float = typer.Option(1e-8, "--rtol", help="CVODE relative tolerance."),
        atol: float = typer.Option(1e-12, "--atol", help="CVODE absolute tolerance."),
        quiet: bool = typer.Option(False, "--quiet", help="Print nothing but errors (exit code 3 if a condition failed)."),
    ) -> None:
        """Simulate PROBLEM.yaml at its nominal parameters; print χ² and the log-likelihood.

        Example: mtorsim petab evaluate Fujita_SciSignal2010/Fujita_SciSignal2010.yaml --out results/
        """
        from ..calibrate import evaluate_petab
        from ..simulate._sbml import IntegratorOptions

        def go():
            res = evaluate_petab(problem, integrator=IntegratorOptions(rtol=rtol, atol=atol))
            console = Console(quiet=quiet)
            table = Table(title=f"PEtab problem {problem.name}")
            for col in ("chi²", "log-likelihood", "measurements", "conditions", "failed"):
                table.add_column(col, justify="right")
            n_failed = int((res.conditions["status"] != "ok").sum())
            fmt = (lambda v: "nan" if math.isnan(v) else f"{v:.10g}")
            table.add_row(fmt(res.chi2), fmt(res.llh), str(len(res.simulations)), str(len(res.conditions)),
                          str(n_failed))
            console.print(table)
            for _, row in res.conditions[res.conditions["status"] != "ok"].iterrows():
                pre = f"{row['preequilibrationConditionId']} → " if row["preequilibrationConditionId"] else ""
                console.print(f"[yellow]failed:[/yellow] {pre}{row['simulationConditionId']}: {row['message']}")
            if out is not None:
                out.mkdir(parents=True, exist_ok=True)
                res.simulations.to_csv(out / "simulations.tsv", sep="\t", index=False)
                res.conditions.to_csv(out / "conditions.tsv", sep="\t", index=False)
                console.print(f"wrote {out / 'simulations.tsv'} and {out / 'conditions.tsv'}")
            if n_failed:
                raise typer.Exit(3)

        _guard(go)

    app.add_typer(petab_app, name="petab")
