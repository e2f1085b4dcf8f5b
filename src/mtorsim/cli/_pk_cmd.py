"""``mtorsim pk``: concentration-time profile and exposure metrics of one drug under one regimen.

A thin layer over :func:`mtorsim.clinic.pk_profile` and :func:`mtorsim.clinic.exposure_metrics`.
Attach it with ``register(app)``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.table import Table

__all__ = ["register"]


def _guard(fn):
    try:
        from ._app import run_guarded
    except ImportError:  # pragma: no cover
        return fn()
    return run_guarded(fn)


def register(app: typer.Typer) -> None:
    """Add the ``pk`` command to ``app``."""
    from ._common import check_format, emit_table, format_option, quiet_option

    @app.command("pk")
    def pk(drug: str = typer.Option(..., "--drug", help="Drug with a PK model (docs/pk.md; a drug without one is refused with the list of those that have one)."),
           regimen: str = typer.Option(..., "--regimen", help='Regimen, e.g. "10 mg daily", "70 mg weekly", "500 mg on days 1,15,29 then every 28 days".'),
           days: float = typer.Option(28.0, "--days", help="Days to simulate and plot."),
           plot: Optional[Path] = typer.Option(None, "--plot", help="Write a concentration-time plot (PNG/PDF/SVG)."),
           out: Optional[Path] = typer.Option(None, "--out", help="Write the profile: .nc (netCDF) or .csv."),
           hematocrit: Optional[float] = typer.Option(None, "--hematocrit", help="Patient haematocrit (fraction; changes whole blood, not plasma)."),
           seed: Optional[int] = typer.Option(None, "--seed", help="Draw one virtual patient from the variability (default: typical patient)."),
           bsa: Optional[float] = typer.Option(None, "--bsa", help="Body-surface area (m2) for mg/m2 doses (default: pk_profile's typical adult, docs/pk.md)."),
           weight: Optional[float] = typer.Option(None, "--weight", help="Body weight (kg) for mg/kg doses (default: pk_profile's typical adult, docs/pk.md)."),
           fmt: str = format_option(),
           quiet: bool = quiet_option(),
           ) -> None:
        """Print Cmin/Cmax/Cavg/AUC per dosing period at steady state and the day-8 trough; optionally plot and save.

        Example: mtorsim pk --drug everolimus --regimen "10 mg daily" --days 14 --out pk.csv --plot pk.png
                 mtorsim pk --drug trastuzumab --regimen "4 mg/kg iv weekly over 90 min; 2 mg/kg from day 2" --weight 62
        """

        def go():
            from ..clinic import exposure_metrics, get_pk, pk_profile
            from ..clinic._pk import _model
            check_format(fmt)

            model = _model(get_pk(drug).drug, seed)
            # body size only when given: the defaults live in one place (clinic._regimen, via pk_profile)
            body = {k: v for k, v in (("bsa_m2", bsa), ("weight_kg", weight)) if v is not None}
            metrics = exposure_metrics(model, regimen, hematocrit=hematocrit, **body)
            ds = pk_profile(model, regimen, days=days, step_h=min(0.25, days * 24 / 400), hematocrit=hematocrit, **body)
            console = Console(quiet=quiet)
            if fmt != "table":
                emit_table(metrics, fmt, quiet=quiet)
                console = Console(quiet=True)
            table = Table(title=f"{model.drug}, {metrics.attrs['regimen']} — steady state per {metrics.attrs['period_h']:g} h period "
                                f"(terminal t1/2 {metrics.attrs['terminal_half_life_h']:.1f} h; AUC in ng·h/mL or nM·h)")
            table.add_column("metric", no_wrap=True)
            for c in metrics.columns:
                table.add_column(c.replace(" (", "\n("), justify="right")
            for idx, row in metrics.iterrows():
                table.add_row(idx, *[f"{v:.4g}" for v in row.values])
            console.print(table)
            if "estradiol_fraction" in ds:
                e2 = ds["estradiol_fraction"]
                console.print(f"oestradiol relative to baseline: day 3 {float(e2.interp(time=min(72.0, float(ds.time[-1])))):.3f}, "
                              f"end {float(e2[-1]):.3f}")
            if out is not None:
                if out.suffix == ".csv":
                    ds.drop_vars(["dose_amount", "dose_time"]).to_dataframe().to_csv(out)
                else:
                    ds.to_netcdf(out)
                console.print(f"profile written to {out}")
            if plot is not None:
                import matplotlib

                matplotlib.use("Agg")
                import matplotlib.pyplot as plt

                fig, ax = plt.subplots(figsize=(8, 4))
                t_days = ds["time"].values / 24.0
                for var in ("whole_blood", "plasma"):
                    if var in ds:
                        ax.plot(t_days, ds[var].values, label=f"{var.replace('_', ' ')} (ng/mL)")
                ax.set_xlabel("time (days)")
                ax.set_ylabel("concentration (ng/mL)")
                ax.set_yscale("log")
                ax.set_ylim(bottom=max(1e-3, float(ds["plasma"].values[ds["plasma"].values > 0].min()) if (ds["plasma"].values > 0).any() else 1e-3))
                ax.set_title(f"{model.drug}: {metrics.attrs['regimen']}")
                ax.legend()
                fig.tight_layout()
                fig.savefig(plot)
                plt.close(fig)
                console.print(f"plot written to {plot}")

        _guard(go)
