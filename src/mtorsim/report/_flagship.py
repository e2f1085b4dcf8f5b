"""The flagship scenario: MCF7 with and without everolimus, showing the feedback on pAKT."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import xarray as xr

from .._io import atomic_path, write_result
from ..simulate import simulate

PANELS = ("pS6K1_T389", "p4EBP1_T37_46", "pIRS1_S636", "IRS1_total", "pAKT_S473", "pAKT_T308", "pERK1_2", "cyclinD1")


@dataclass(frozen=True)
class FlagshipResult:
    untreated: xr.Dataset
    treated: xr.Dataset
    summary: pd.DataFrame
    files: tuple[Path, ...]


def run_flagship(out: str | Path, *, dose: str = "10nM", hours: float = 48.0) -> FlagshipResult:
    """Simulate MCF7 ± everolimus, write ``flagship.csv`` (tidy), ``flagship.nc`` and ``flagship.png``."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    ctrl = simulate("MCF7", hours=hours, n_points=193)
    eve = simulate("MCF7", drugs=[f"everolimus={dose}"], hours=hours, n_points=193)
    both = xr.concat([ctrl, eve], dim=pd.Index([ctrl.attrs["treatment"], eve.attrs["treatment"]], name="treatment"))
    both.attrs = {k: v for k, v in eve.attrs.items() if k != "treatment"}
    from .._io import tidy
    table = pd.concat([tidy(ctrl), tidy(eve)], ignore_index=True)
    files = [write_result(table, out / "flagship.csv"), write_result(both, out / "flagship.nc")]

    times = [0, 1, 6, 24, hours]
    summary = pd.DataFrame({f"{t:g} h": [float(eve[p].sel(time=t, method="nearest")) for p in PANELS] for t in times},
                           index=pd.Index(PANELS, name="observable"))

    fig, axes = plt.subplots(2, 4, figsize=(14, 6), sharex=True)
    for ax, p in zip(axes.flat, PANELS):
        ax.plot(ctrl.time, ctrl[p], color="0.5", label="untreated")
        ax.plot(eve.time, eve[p], color="C3", label=f"everolimus {dose}")
        ax.axhline(1.0, color="0.8", lw=0.8, zorder=0)
        ax.set_title(p)
        ax.set_xlabel("time (h)")
    axes[0, 0].set_ylabel("relative to untreated MCF7")
    axes[1, 0].set_ylabel("relative to untreated MCF7")
    axes[0, 0].legend(fontsize=8)
    fig.suptitle(f"MCF7 ± everolimus {dose}: S6K1 falls at once; relief of S6K1 ⊣ IRS1 raises pAKT S473 over a day "
                 f"(mtorsim {eve.attrs.get('version_mtorsim')}, parameter set {eve.attrs['parameter_set_id']})", fontsize=10)
    fig.tight_layout()
    png = out / "flagship.png"
    tmp = atomic_path(png)
    fig.savefig(tmp, dpi=110, format="png")
    plt.close(fig)
    tmp.replace(png)
    files.append(png)
    return FlagshipResult(ctrl, eve, summary, tuple(files))
