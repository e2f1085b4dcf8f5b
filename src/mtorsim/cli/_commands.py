"""Core commands: simulate, cells, drugs, export-sbml, export-antimony, flagship, validate."""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer

from ._app import app, console, print_frame, run_guarded
from ._common import check_format, emit_table, format_option, out_option, quiet_option, working

validate_app = typer.Typer(help="Score the model against published measurements.", no_args_is_help=True)
app.add_typer(validate_app, name="validate")


@app.command()
def simulate(
    cell: str = typer.Option("MCF7", "--cell", help="Cell line (any usual spelling), e.g. MCF7, MDA-MB-231."),
    drug: List[str] = typer.Option([], "--drug", help="DRUG=DOSE[@START[-STOP]], repeatable, e.g. everolimus=10nM."),
    estradiol: Optional[str] = typer.Option(None, "--estradiol", help="Oestradiol in the medium, e.g. 1nM."),
    medium: str = typer.Option("full", "--medium", help="full | charcoal_stripped | serum_free."),
    hours: str = typer.Option("48", "--hours", help="Duration in hours (> 0)."),
    points: int = typer.Option(97, "--points", help="Number of output times."),
    normalize: str = typer.Option("reference", "--normalize", help="reference (untreated MCF7 = 1) | cell | none."),
    out: Optional[Path] = typer.Option(None, "--out", help="Write the result: .csv (tidy) or .nc (netCDF)."),
    fmt: str = format_option(),
    quiet: bool = typer.Option(False, "--quiet", help="Print nothing but errors."),
) -> None:
    """Simulate a cell line under drugs (prints key readouts at four times; --out writes every observable).

    Example: mtorsim simulate --cell MCF7 --drug everolimus=10nM --hours 48 --out mcf7_eve.csv
    """
    from .. import simulate as api_simulate
    from .._io import write_result

    def go():
        check_format(fmt)
        ds = api_simulate(cell, drugs=drug, medium=medium, estradiol=estradiol, hours=hours, n_points=points, normalize=normalize)
        if out is not None:
            write_result(ds, out)
        if not quiet:
            import pandas as pd
            key = ["pS6K1_T389", "p4EBP1_T37_46", "pAKT_S473", "pAKT_T308", "pERK1_2", "ER_activity", "cyclinD1"]
            idx = sorted({0, len(ds.time) // 8, len(ds.time) // 2, len(ds.time) - 1})
            df = pd.DataFrame({k: ds[k].values[idx] for k in key}, index=pd.Index(ds.time.values[idx], name="time_h"))
            emit_table(df, fmt, title=f"{ds.attrs['cell']} · {ds.attrs['treatment']} · {ds.attrs['medium']} ({ds[key[0]].attrs['units']})")
            if out is not None and fmt == "table":
                console.print(f"wrote {out}")
    run_guarded(go)


@app.command()
def cells(fmt: str = format_option(), out: Optional[Path] = out_option("Write the full catalogue, with sources (.csv)."),
          quiet: bool = quiet_option()) -> None:
    """List the cell-line catalogue (receptor status, alterations, traits).

    Example: mtorsim cells --format csv > cells.csv
    """
    from .._io import write_result
    from ..biology import cells_table

    def go():
        table = cells_table()
        if out is not None:
            write_result(table.reset_index(), out)
        emit_table(table.drop(columns=["source"]) if fmt == "table" else table, fmt, title="mtorsim cell lines", quiet=quiet)
    run_guarded(go)


@app.command()
def drugs(fmt: str = format_option(), out: Optional[Path] = out_option("Write the catalogue (.csv)."),
          quiet: bool = quiet_option()) -> None:
    """List the drug catalogue (class, targets with potency in nM, molar mass).

    Example: mtorsim drugs --format json
    """
    from .._io import write_result
    from ..biology import drugs_table

    def go():
        table = drugs_table()
        if out is not None:
            write_result(table.reset_index(), out)
        emit_table(table, fmt, title="mtorsim drugs", quiet=quiet)
    run_guarded(go)


@app.command("export-sbml")
def export_sbml(path: Path = typer.Argument(..., help="Output SBML file (.xml)."), quiet: bool = quiet_option()) -> None:
    """Export the network as SBML Level 3 (checked with libsbml).

    Example: mtorsim export-sbml mtorsim.xml
    """
    from ..model import build_network, write_sbml

    def go():
        check = write_sbml(build_network(), path)
        if not quiet:
            console.print(f"wrote {path} (libsbml: {len(check.errors)} errors, {len(check.warnings)} warnings)")
    run_guarded(go)


@app.command("export-antimony")
def export_antimony(path: Path = typer.Argument(..., help="Output Antimony file (.ant)."), quiet: bool = quiet_option()) -> None:
    """Export the network as Antimony text, with units and sources as comments.

    Example: mtorsim export-antimony mtorsim.ant
    """
    from .._io import write_text_atomic
    from ..model import build_network, to_antimony

    def go():
        write_text_atomic(path, to_antimony(build_network()))
        if not quiet:
            console.print(f"wrote {path}")
    run_guarded(go)


@app.command()
def flagship(out: Path = typer.Option(Path("flagship"), "--out", help="Output folder."),
             fmt: str = format_option(),
             quiet: bool = quiet_option()) -> None:
    """The flagship scenario: MCF7 with and without everolimus 10 nM, 48 h (table + plot).

    Shows the S6K1 -| IRS1 feedback: S6K1 falls within an hour while pAKT S473 rises over a day.

    Example: mtorsim flagship --out flagship/
    """
    from ..report._flagship import run_flagship

    def go():
        check_format(fmt)
        with working("simulating MCF7 ± everolimus", quiet):
            result = run_flagship(out)
        if not quiet:
            emit_table(result.summary, fmt, title="MCF7 ± everolimus 10 nM (relative to untreated MCF7)")
        if not quiet and fmt == "table":
            for p in result.files:
                console.print(f"wrote {p}")
    run_guarded(go)


@validate_app.command("nelander")
def validate_nelander(out: Optional[Path] = typer.Option(None, "--out", help="Write the agreement table (.csv)."),
                      hours: float = typer.Option(24.0, "--hours", help="Time of the model readout (h)."),
                      fmt: str = format_option(), quiet: bool = quiet_option()) -> None:
    """Sign agreement with Nelander et al. 2008 (MCF7, single and paired inhibitors).

    Example: mtorsim validate nelander --out nelander.csv
    """
    from .._io import write_result
    from ..evidence import agreement_summary, nelander_agreement

    def go():
        check_format(fmt)
        with working("simulating the Nelander 2008 perturbations", quiet):
            table = nelander_agreement(hours=hours)
        pivot = table.pivot_table(index=["condition", "drugs"], columns="readout",
                                  values="agree", aggfunc=lambda s: s.iloc[0]).reset_index()
        show = table.assign(result=[("agree" if a else "DISAGREE") if c else "small" for a, c in zip(table.agree, table.counted)])
        show = show.assign(measured=show.measured.round(2), model_change=show.model_change.round(2))
        emit_table(show[["condition", "drugs", "readout", "measured", "model_change", "result"]], fmt,
                   title="Nelander 2008 MCF7: measured vs model (log2 ratio)", quiet=quiet)
        s = agreement_summary(table)
        if not quiet and fmt == "table":
            console.print(f"sign agreement: {s['agree']}/{s['comparisons']} = {s['fraction']:.0%} "
                      f"({s['left_out_small_changes']} comparisons with |measured| < 0.1 left out)")
        if out is not None:
            write_result(table, out)
        del pivot
    run_guarded(go)


@validate_app.command("screens")
def validate_screens(quick: bool = typer.Option(False, "--quick", help="Only everolimus and alpelisib on LINCS; 4x4 O'Neil grids."),
                     out: Optional[Path] = typer.Option(None, "--out", help="Folder for the comparison tables (.csv)."),
                     quiet: bool = quiet_option()) -> None:
    """Virtual screens vs real ones: LINCS GR metrics, O'Neil 2016 synergy, published combinations (C04, C06, C17/C24).

    Example: mtorsim validate screens --quick --out screens/
    """
    from .._io import write_result
    from ..evidence._screens import kinase_vs_rapalog, lincs_comparison, oneil_comparison, published_combinations

    def go():
        table, summary = lincs_comparison(drugs=["everolimus", "alpelisib"] if quick else None, progress=not quiet)
        say = (lambda *a: None) if quiet else console.print
        if not quiet:
            print_frame(summary.round(3), title="HMS LINCS breast panel: model vs measured (per drug)")
        kv = kinase_vs_rapalog(summary)
        say(f"mTOR kinase inhibitors reach lower GRmax than rapalogs — measured: {kv['measured']}, model: {kv['model']}")
        oneil = oneil_comparison(grid=4 if quick else 5)
        if len(oneil):
            say(f"O'Neil 2016 Loewe synergy sign agreement: {int(oneil.agree.sum())}/{len(oneil)} = {oneil.agree.mean():.0%}")
        pub = published_combinations()
        if not quiet:
            print_frame(pub[["evidence", "statement", "model", "agree"]], title="published combinations")
        if out is not None:
            out.mkdir(parents=True, exist_ok=True)
            for name, df in (("lincs_wells", table), ("lincs_summary", summary), ("oneil", oneil), ("published", pub)):
                write_result(df, out / f"{name}.csv")
    run_guarded(go)


@app.command("citation")
def citation_cmd(
    run: Optional[str] = typer.Option(None, "--run", help="A run id (or unique prefix) from the results store (`mtorsim runs list`)."),
    cell: Optional[str] = typer.Option(None, "--cell", help="Without --run: the cell line simulated."),
    drug: List[str] = typer.Option([], "--drug", help="Without --run: DRUG=DOSE or DRUG, repeatable."),
    kind: Optional[str] = typer.Option(None, "--kind", help="Kind of run (simulate, screen, combo, calibrate, report, trial): "
                                                            "adds its methods and data sets."),
    fmt: str = typer.Option("text", "--format", help="text (grouped, for people), bibtex (method references) or json (every row)."),
    store: Optional[Path] = typer.Option(None, "--store", help="Results store folder (default: $MTORSIM_STORE, else the user data directory)."),
    out: Optional[Path] = out_option("Write the citation to this file instead of printing it."),
    quiet: bool = quiet_option(),
) -> None:
    """What a run relies on: model parameter sources, genotype effects, drug potencies, methods, data sets, software.

    Example: mtorsim citation --run 3f2a9c --format bibtex

    Example: mtorsim citation --cell MCF7 --drug everolimus=10nM --kind combo --format json
    """
    from .._errors import InputError
    from .._io import write_text_atomic
    from ..evidence._citation import FORMATS, citation, format_citation

    def go():
        if str(fmt).lower() not in FORMATS:
            raise InputError("--format", fmt, f"one of {', '.join(FORMATS)}")
        table = citation(cell, drug, kind=kind, run=run, store=store)
        text = format_citation(table, fmt)
        if out is not None:
            write_text_atomic(out, text)
            if not quiet:
                console.print(f"wrote {out}")
        elif not quiet:
            import sys
            sys.stdout.write(text)
    run_guarded(go)
