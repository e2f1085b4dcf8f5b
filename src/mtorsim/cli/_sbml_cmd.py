"""``mtorsim simulate-sbml``: any SBML model (a BioModels file, your own network), one time course."""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer


def _pairs(items: list[str], option: str) -> dict[str, float]:
    from .._errors import InputError

    out = {}
    for item in items or []:
        key, sep, value = item.partition("=")
        try:
            if not sep or not key.strip():
                raise ValueError
            out[key.strip()] = float(value)
        except ValueError:
            raise InputError(option, item, "ID=VALUE with a number, e.g. k1=0.2") from None
    return out


def register(app: typer.Typer) -> None:
    """Add the ``simulate-sbml`` command to ``app``."""
    from ._app import console, run_guarded
    from ._common import quiet_option

    @app.command("simulate-sbml")
    def simulate_sbml_cmd(
        model: Path = typer.Argument(..., help="SBML file (.xml)."),
        out: Path = typer.Option(..., "--out", help="Result file: .csv (tidy table) or .nc (netCDF, with provenance)."),
        hours: Optional[str] = typer.Option(None, "--hours", help="Duration (e.g. 2, 90min), converted with the "
                                                                  "model's declared time unit."),
        t_end: Optional[float] = typer.Option(None, "--t-end", help="Duration in the model's own time units."),
        points: int = typer.Option(101, "--points", help="Number of evenly spaced output times from 0."),
        param: List[str] = typer.Option([], "--param", help="Parameter override ID=VALUE (repeatable)."),
        init: List[str] = typer.Option([], "--init", help="Initial concentration ID=VALUE (repeatable)."),
        select: List[str] = typer.Option([], "--select", help="Id to record (repeatable; default: every species "
                                                              "and assignment-rule parameter)."),
        preequilibrate: bool = typer.Option(False, "--preequilibrate", help="Start from the steady state."),
        quiet: bool = quiet_option(),
    ) -> None:
        """Simulate an SBML model with libRoadRunner and write the time course.

        Example: mtorsim simulate-sbml BIOMD0000000640.xml --hours 2 --param IRS_phos_by_Amino_Acids=0.05 --out r.csv
        """
        from .._io import write_result
        from ..simulate import simulate_sbml

        def go():
            ds = simulate_sbml(model, parameters=_pairs(param, "--param"), species=_pairs(init, "--init"),
                               hours=hours, t_end=t_end, n_points=points, preequilibrate=preequilibrate,
                               selections=select or None)
            if out.suffix.lower() == ".csv":   # wide: one column per variable, time in the model's unit
                df = ds.to_dataframe().reset_index().rename(columns={"time": f"time ({ds.attrs['time_units']})"})
                write_result(df, out)
            else:
                write_result(ds, out)
            if not quiet:
                console.print(f"{len(ds.data_vars)} variables × {ds.sizes['time']} times "
                              f"(time in {ds.attrs['time_units']}) · wrote {out}")
        run_guarded(go)
