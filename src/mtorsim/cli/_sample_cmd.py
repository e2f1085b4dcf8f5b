"""``mtorsim sample``: a posterior ensemble by adaptive Metropolis, with diagnostics and prediction bands.

A thin layer over :func:`mtorsim.calibrate.sample` and :func:`mtorsim.calibrate.predict_bands`.
Attach with ``register(app)``.
"""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console

__all__ = ["register"]


def register(app: typer.Typer) -> None:
    """Add ``sample`` to ``app``."""

    @app.command("sample")
    def sample_cmd(
        problem: Path = typer.Argument(..., help="The PEtab problem's YAML file."),
        out: Path = typer.Option(..., "--out", help="Folder for ensemble.json, samples.tsv, diagnostics.tsv, plots."),
        from_: Path = typer.Option(None, "--from", help="Folder of a finished calibration: start at its best fit "
                                   "(default: the nominal values)."),
        samples: int = typer.Option(2000, "--samples", help="Iterations per chain, burn-in (half) included."),
        chains: int = typer.Option(4, "--chains", help="Number of chains."),
        seed: int = typer.Option(0, "--seed", help="Seed: chain c draws from numpy.random.default_rng((seed, c))."),
        workers: int = typer.Option(1, "--workers", help="Run chains in this many processes (same draws)."),
        bands: bool = typer.Option(True, "--bands/--no-bands", help="Write bands of the problem's own simulations "
                                   "(bands_petab.nc and a plot) from 50 members."),
        quiet: bool = typer.Option(False, "--quiet", help="No progress bar, no tables."),
    ) -> None:
        """Sample the posterior of PROBLEM.yaml's estimated parameters (adaptive Metropolis, Haario et al. 2001).

        Example: mtorsim sample problem.yaml --from fit/ --samples 4000 --chains 4 --out ensemble/
        """
        from ..calibrate import CalibrationResult, predict_bands, sample
        from ._petab_cmd import _guard

        def go():
            start = CalibrationResult.load(from_) if from_ is not None else None
            ens = sample(problem, start=start, n_samples=samples, chains=chains, seed=seed, out=out,
                         progress=not quiet, n_workers=workers)
            console = Console(quiet=quiet)
            if not quiet:
                from ._app import print_frame

                print_frame(ens.summary.drop(columns=["problem", "sampler"]).T.rename(columns={0: "value"}), "ensemble")
                print_frame(ens.diagnostics.round(4), "posterior (linear scale)")
            import matplotlib

            matplotlib.use("Agg")
            import matplotlib.pyplot as plt

            axes = ens.plot_traces()
            axes[0].figure.savefig(out / "traces.png", dpi=110, bbox_inches="tight")
            plt.close(axes[0].figure)
            if bands:
                from ..calibrate import plot_bands

                b = predict_bands(ens, kind="petab", n_members=50, seed=seed)
                b.to_netcdf(out / "bands_petab.nc")
                ax = plot_bands(b, "simulation")
                ax.figure.savefig(out / "bands_petab.png", dpi=110, bbox_inches="tight")
                plt.close(ax.figure)
            if not ens.converged():
                console.print("[yellow]warning:[/yellow] the chains have not converged (split-R̂ > 1.1 or ESS < 100 "
                              "for some parameter): run longer chains before using the ensemble")
            console.print(f"ensemble [bold]{ens.id}[/bold]: Ensemble.load('{out}'); wrote {out}")

        _guard(go)
