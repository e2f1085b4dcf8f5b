"""Screen commands: dose-response, combo, phenotype."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from ._app import app, run_guarded
from ._common import check_format, emit_table, format_option, quiet_option, working


@app.command("dose-response")
def dose_response_cmd(
    drug: str = typer.Option("everolimus", "--drug", help="Drug name(s), comma-separated."),
    cells: str = typer.Option("MCF7", "--cells", help="Cell lines, comma-separated, or 'all'."),
    doses: str = typer.Option("0.1nM..10uM", "--doses", help="LOW..HIGH (log-spaced) or a comma list, e.g. 1,10,100nM."),
    n_doses: int = typer.Option(9, "--n-doses", help="Number of doses for a LOW..HIGH range."),
    hours: float = typer.Option(72.0, "--hours", help="Assay length (h)."),
    out: Optional[Path] = typer.Option(None, "--out", help="Write the fitted metrics (.csv); the per-well values go beside it."),
    plot: Optional[Path] = typer.Option(None, "--plot", help="Write dose-response curves (.png)."),
    work_dir: Optional[Path] = typer.Option(None, "--work-dir", help="Stream wells here; an interrupted screen resumes from it."),
    workers: Optional[int] = typer.Option(None, "--workers", help="Local worker processes (default: all cores)."),
    fmt: str = format_option(),
    quiet: bool = quiet_option(),
) -> None:
    """Virtual single-drug screen: viability and GR over dose, with IC50/Emax/AUC and GR50/GRmax/GEC50/GR_AOC.

    Example: mtorsim dose-response --drug everolimus --cells MCF7,T47D --doses 0.1nM..10uM --out eve.csv
    """
    from .._io import write_result
    from ..response import dose_response

    def go():
        check_format(fmt)
        res = dose_response(cells, drug, doses=doses, n_doses=n_doses, hours=hours, progress=not quiet,
                            out=work_dir, n_workers=workers)
        if out is not None:
            write_result(res.metrics, out)
            wells = res.data.to_dataframe().reset_index()
            write_result(wells, out.with_name(out.stem + "_wells.csv"))
        if plot is not None:
            _plot_curves(res, plot)
        if not quiet:
            show = res.metrics.drop(columns=["fit_warnings", "hill_fit"]).set_index(["cell", "drug"])
            emit_table(show.reset_index(), fmt, title="dose-response metrics (concentrations in nM; NaN = outside the tested doses, see flag)")
    run_guarded(go)


def _plot_curves(res, path: Path) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    drugs = list(res.data.drug.values)
    fig, axes = plt.subplots(1, len(drugs), figsize=(4.5 * len(drugs), 3.8), squeeze=False)
    for ax, d in zip(axes[0], drugs):
        for c in res.data.cell.values:
            ax.semilogx(res.data.dose_nM, res.data["GR"].sel(cell=c, drug=d), marker="o", ms=3, label=str(c))
        ax.axhline(0, color="0.7", lw=0.8)
        ax.axhline(0.5, color="0.85", lw=0.8, ls="--")
        ax.set(title=d, xlabel="dose (nM)", ylabel="GR value (72 h)")
    axes[0][-1].legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


@app.command("combo")
def combo_cmd(
    cell: str = typer.Option("MCF7", "--cell", help="Cell line."),
    drugs: str = typer.Option("everolimus,fulvestrant", "--drugs", help="Two drugs, comma-separated."),
    grid: str = typer.Option("7x7", "--grid", help="Grid size NxN (zero dose included), N >= 3."),
    out: Optional[Path] = typer.Option(None, "--out", help="Output folder: surface.nc, synergy.csv, plots; wells stream to OUT/wells (resumable)."),
    workers: Optional[int] = typer.Option(None, "--workers", help="Local worker processes (default: all cores)."),
    fmt: str = format_option(),
    quiet: bool = quiet_option(),
) -> None:
    """Two-drug combination: response surface and synergy (Bliss, HSA, Loewe, ZIP; positive = synergy).

    Example: mtorsim combo --cell MCF7 --drugs everolimus,fulvestrant --grid 7x7 --out combo/
    """
    from .._errors import InputError
    from .._io import write_result
    from ..response import combination

    def go():
        check_format(fmt)
        try:
            n_a, n_b = (int(x) for x in grid.lower().split("x"))
        except ValueError:
            raise InputError("grid", grid, "NxN, e.g. 7x7") from None
        if n_a != n_b:
            raise InputError("grid", grid, "a square grid NxN")
        res = combination(cell, drugs.split(","), grid=n_a, progress=not quiet, n_workers=workers,
                          out=None if out is None else out / "wells")
        if out is not None:
            out.mkdir(parents=True, exist_ok=True)
            write_result(res.surface, out / "surface.nc")
            write_result(res.scores.reset_index(), out / "synergy.csv")
            from ..response import plot_response_surface, plot_synergy
            import matplotlib
            matplotlib.use("Agg")
            import matplotlib.pyplot as plt
            from ..response import plot_isobologram
            fig, axes = plt.subplots(1, 4, figsize=(20, 4.2))
            plot_response_surface(res.surface["viability"], ax=axes[0])
            plot_synergy(res.synergy["bliss"], ax=axes[1])
            plot_synergy(res.synergy["loewe"], ax=axes[2])
            plot_isobologram(res.synergy["loewe"], 0.5, ax=axes[3])
            fig.tight_layout()
            fig.savefig(out / "combination.png", dpi=110)
            plt.close(fig)
        if not quiet:
            emit_table(res.scores.reset_index(), fmt, title=f"{res.surface.attrs['cell']}: {res.surface.attrs['drug_a']} + {res.surface.attrs['drug_b']} (viability scale; combination wells only)")
    run_guarded(go)


@app.command("phenotype")
def phenotype_cmd(
    cells: str = typer.Option("all", "--cells", help="Cell lines, comma-separated, or 'all'."),
    drug: list[str] = typer.Option([], "--drug", help="Add drugs to every condition (DRUG=DOSE)."),
    out: Optional[Path] = typer.Option(None, "--out", help="Write the table (.csv)."),
    fmt: str = format_option(),
    quiet: bool = quiet_option(),
) -> None:
    """Growth-factor independence and endocrine resistance per line (net proliferation relative to full medium + E2).

    Example: mtorsim phenotype --cells MCF7,MDA-MB-231 --out phenotypes.csv
    """
    from .._io import write_result
    from ..fate import phenotypes

    def go():
        check_format(fmt)
        with working("simulating phenotypes", quiet):
            df = phenotypes(None if cells == "all" else cells.split(","), drugs=tuple(drug))
        if out is not None:
            write_result(df.reset_index(), out)
        emit_table(df.round(3).reset_index(), fmt, quiet=quiet, title="phenotypes (1 = as in full medium with oestradiol; 0 = no net growth)")
    run_guarded(go)
