"""Sign agreement with Nelander et al. 2008 (Mol Syst Biol 4:216): MCF7 under single and paired
inhibitors, phospho-protein changes relative to untreated cells.

Data: ``<data dir>/phospho/nelander2008_MCF7`` (``conds.tsv``: which nodes each condition inhibits;
``exp.tsv``: normalised responses in −1..1; ``ptb.tsv``: the drug behind each node). Conditions
that use rottlerin (PKCδ; not in the model) are left out.

A comparison counts when the measured change is clear (|value| ≥ ``MEASURED_THRESHOLD``); it
agrees when the model's change at ``hours`` has the same sign.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from .._data import data_dir

#: Nelander node -> (drug in the catalogue, concentration). The paper's doses were not extracted here:
#: "assumed: common working concentrations for each agent in MCF7 (well above its cellular IC50)".
NELANDER_DRUGS: dict[str, tuple[str, str]] = {
    "IGF1R": ("cixutumumab", "10nM"),   # A12 antibody
    "PI3K": ("LY294002", "10uM"),
    "mTOR": ("sirolimus", "10nM"),      # rapamycin
    "p-MEK": ("PD0325901", "100nM"),
    "EGFR": ("gefitinib", "1uM"),       # ZD1839
}
DOSE_SOURCE = "assumed: common working concentrations (Nelander 2008 doses not extracted)"
#: Nelander readout -> mtorsim observable
READOUTS: dict[str, str] = {"p-AKT": "pAKT_S473", "p-P70S6K": "pS6K1_T389", "p-S6": "pS6_S235_236", "p-ERK": "pERK1_2"}
MEASURED_THRESHOLD = 0.1
HOURS = 24.0


def _folder(path: str | Path | None) -> Path:
    if path is not None:
        return Path(path)
    d = data_dir(required=True)
    return d / "phospho" / "nelander2008_MCF7"


def load_nelander(path: str | Path | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return (conditions, responses) tables indexed by condition number."""
    folder = _folder(path)
    conds = pd.read_csv(folder / "conds.tsv", sep="\t", index_col=0)
    exp = pd.read_csv(folder / "exp.tsv", sep="\t", index_col=0)
    return conds, exp


def nelander_agreement(path: str | Path | None = None, *, hours: float = HOURS, cell: str = "MCF7") -> pd.DataFrame:
    """Model vs measured sign of change for every modelled condition × readout.

    Returns a tidy table: condition, drugs, readout, observable, measured, model_ratio, model_change
    (log2 ratio), counted (measured clear), agree.
    """
    from ..simulate import simulate  # late import: the evidence layer sits above simulation

    conds, exp = load_nelander(path)
    rows = []
    for cid, row in conds.iterrows():
        nodes = [n for n, v in row.items() if v != 0]
        if any(n not in NELANDER_DRUGS for n in nodes):
            continue
        drugs = [f"{NELANDER_DRUGS[n][0]}={NELANDER_DRUGS[n][1]}" for n in nodes]
        ds = simulate(cell, drugs=drugs, times=[0.0, hours], normalize="cell")
        for readout, obs in READOUTS.items():
            measured = float(exp.loc[cid, readout])
            ratio = float(ds[obs].isel(time=-1))
            change = float(np.log2(ratio))
            counted = abs(measured) >= MEASURED_THRESHOLD
            rows.append({"condition": int(cid), "drugs": " + ".join(drugs), "readout": readout, "observable": obs,
                         "measured": measured, "model_ratio": ratio, "model_change": change, "counted": counted,
                         "agree": bool(counted and np.sign(change) == np.sign(measured))})
    return pd.DataFrame(rows)


def agreement_summary(table: pd.DataFrame) -> dict[str, float]:
    counted = table[table["counted"]]
    return {"comparisons": int(len(counted)), "agree": int(counted["agree"].sum()),
            "fraction": float(counted["agree"].mean()) if len(counted) else float("nan"),
            "left_out_small_changes": int((~table["counted"]).sum())}
