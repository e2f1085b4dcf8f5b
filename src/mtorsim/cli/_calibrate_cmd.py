"""``mtorsim calibrate``, ``mtorsim profile``, ``mtorsim export-petab`` and ``mtorsim lint-petab``.

A thin layer over :mod:`mtorsim.calibrate`. Attach with ``register(app)``.
"""

from __future__ import annotations

from pathlib import Path
from typing import List

import typer
from rich.console import Console

__all__ = ["register"]


def _guard(fn):
    from ._petab_cmd import _guard as guard

    return guard(fn)


def _print(df, title: str) -> None:
    from ._app import print_frame

    print_frame(df, title=title)


def register(app: typer.Typer) -> None:
    """Add ``calibrate``, ``profile``, ``export-petab`` and ``lint-petab`` to ``app``."""

    @app.command("calibrate")
    def calibrate_cmd(
        problem: Path = typer.Argument(..., help="The PEtab problem's YAML file."),
        starts: int = typer.Option(100, "--starts", help="Number of local optimisations."),
        out: Path = typer.Option(..., "--out", help="Folder for starts/NNNN.json, tables and the parameter set."),
        workers: int = typer.Option(1, "--workers", help="Worker processes (or Dask workers)."),
        seed: int = typer.Option(0, "--seed", help="Seed of the start points."),
        optimizer: str = typer.Option("L-BFGS-B", "--optimizer", help="L-BFGS-B | trf."),
        gradient: str = typer.Option("sensitivities", "--gradient",
                                     help="sensitivities (forward sensitivities; default) | fd (finite differences)."),
        dask: bool = typer.Option(False, "--dask", help="Run starts on a Dask cluster (current client or local)."),
        no_resume: bool = typer.Option(False, "--no-resume", help="Discard finished starts in OUT."),
        register_set: bool = typer.Option(False, "--register", help="Also save the parameter set in the user store "
                                          "($MTORSIM_PARAMETER_SETS or ~/.local/share/mtorsim/parameter_sets)."),
        quiet: bool = typer.Option(False, "--quiet", help="No progress bar."),
    ) -> None:
        """Fit PROBLEM.yaml by multi-start local optimisation (resumable).

        Example: mtorsim calibrate Brannmark_JBC2010.yaml --starts 50 --out fit/ --workers 2
        """
        from ..calibrate import calibrate, save_parameter_set

        def go():
            backend = "dask" if dask else ("processes" if workers > 1 else "serial")
            res = calibrate(problem, starts=starts, seed=seed, optimizer=optimizer, n_workers=workers,
                            backend=backend, out=out, progress=not quiet, gradient=gradient)
            console = Console()
            _print(res.summary.drop(columns=["gradient"]).T.rename(columns={0: "value"}), "calibration")
            console.print(f"[yellow]gradients:[/yellow] {res.gradient_method}")
            if len(res.ok_starts):
                _print(res.best_parameters[["name", "value", "scale", "lower", "upper", "unit", "at_bound"]],
                       "best parameters")
                ps = res.parameter_set
                where = f"load_parameter_set('{ps.id}', store='{out}')"
                if register_set:
                    save_parameter_set(ps)
                    where = f"load_parameter_set('{ps.id}')"
                console.print(f"parameter set [bold]{ps.id}[/bold]: mtorsim.calibrate.{where}")
                c = res.convergence()
                if c["n_at_best"] < 2:
                    console.print("[yellow]warning:[/yellow] the best objective was reached by one start only; "
                                  "run more starts before trusting it")
            console.print(f"wrote {out}")
            if not len(res.ok_starts):
                raise typer.Exit(3)

        _guard(go)

    @app.command("profile")
    def profile_cmd(
        problem: Path = typer.Argument(..., help="The PEtab problem's YAML file."),
        from_: Path = typer.Option(..., "--from", help="Folder of a finished calibration."),
        parameter: List[str] = typer.Option([], "--parameter", help="Parameter to profile (repeatable; default all)."),
        out: Path = typer.Option(..., "--out", help="Folder for profiles.tsv, verdicts.tsv and plots."),
        plots: bool = typer.Option(True, "--plots/--no-plots", help="Write one PNG per parameter."),
        quiet: bool = typer.Option(False, "--quiet", help="Print nothing but errors."),
    ) -> None:
        """Profile likelihoods around the best fit: identifiable or not, with 95 % intervals.

        Example: mtorsim profile problem.yaml --from fit/ --parameter k1 --parameter k2 --out profiles/
        """
        from ..calibrate import CalibrationResult, profile

        def go():
            res = CalibrationResult.load(from_)
            prof = profile(problem, res, parameters=parameter or None)
            prof.save(out)
            if not quiet:
                _print(prof.verdicts[["parameter", "best", "lower_ci", "upper_ci", "verdict"]], "profile likelihoods")
            if plots:
                import matplotlib

                matplotlib.use("Agg")
                import matplotlib.pyplot as plt

                for p in prof.verdicts["parameter"]:
                    ax = prof.plot(p)
                    ax.figure.savefig(out / f"profile_{p}.png", dpi=120, bbox_inches="tight")
                    plt.close(ax.figure)
            Console(quiet=quiet).print(f"wrote {out}")

        _guard(go)

    @app.command("export-petab")
    def export_petab_cmd(
        directory: Path = typer.Argument(..., help="Output folder."),
        cell: List[str] = typer.Option([], "--cell", help="Cell lines as untreated conditions (repeatable)."),
        estimate: List[str] = typer.Option([], "--estimate", help="Model parameters to estimate (repeatable)."),
        quiet: bool = typer.Option(False, "--quiet", help="Print nothing but errors."),
    ) -> None:
        """Write mtorsim's model with the Nelander 2008 MCF7 data as a PEtab v1 problem.

        Example: mtorsim export-petab petab_mtorsim/ && mtorsim petab evaluate petab_mtorsim/mtorsim.yaml
        """
        from ..calibrate import export_petab
        from ..calibrate._export import DEFAULT_CELLS, DEFAULT_ESTIMATED

        def go():
            path = export_petab(directory, cells=cell or DEFAULT_CELLS, estimate=estimate or DEFAULT_ESTIMATED)
            Console(quiet=quiet).print(f"wrote {path}")

        _guard(go)

    @app.command("lint-petab")
    def lint_cmd(problem: Path = typer.Argument(..., help="The PEtab problem's YAML file."),
                 quiet: bool = typer.Option(False, "--quiet", help="Print nothing; the exit code says it all (2 on errors).")) -> None:
        """Check a PEtab problem's tables; print every problem with file, row and column (exit code 2 on errors).

        Example: mtorsim lint-petab petab_mtorsim/mtorsim.yaml
        """
        from ..calibrate._lint import lint_petab, lint_table

        def go():
            issues = lint_petab(problem)
            if quiet:
                pass
            elif issues:
                _print(lint_table(issues).fillna(""), f"{problem.name}: {len(issues)} issue(s)")
            else:
                Console().print(f"{problem.name}: no problems found")
            if any(i.severity == "error" for i in issues):
                raise typer.Exit(2)

        _guard(go)
