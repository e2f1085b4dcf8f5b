"""``citation()``: what a given run relies on — model parameters, genotype effects and drug potencies,
each with its source, so a figure can say where its numbers came from (STYLE.md §10)."""

from __future__ import annotations

import re

import pandas as pd

from ..biology import CellLine, Treatment, get_cell
from ..model import build_network


def citation(cell: str | CellLine | None = None, drugs=(), *, include_model: bool = True) -> pd.DataFrame:
    """Sources behind a simulation of ``cell`` under ``drugs``.

    Returns a table with columns ``kind`` (model parameter, genotype, drug), ``item``, ``value``,
    ``unit``, ``source`` and ``status`` (``evidence``, ``publication``, ``fitted``, ``assumed``).

    Examples
    --------
    >>> tab = citation("MCF7", ["everolimus=10nM"])
    >>> set(tab["kind"]) >= {"model parameter", "genotype", "drug"}
    True
    """
    rows = []
    if include_model:
        for p in build_network().parameters.values():
            if p.source.startswith(("set by", "genotype parameter", "condition set")):
                continue
            rows.append({"kind": "model parameter", "item": p.name, "value": p.value, "unit": p.unit, "source": p.source})
    if cell is not None:
        c = get_cell(cell)
        for e in c.effects():
            rows.append({"kind": "genotype", "item": f"{c.name}: {e.parameter} {e.op} {e.value:g}", "value": e.value,
                         "unit": "", "source": e.source})
        for k, v in c.sources.items():
            rows.append({"kind": "cell line", "item": f"{c.name}: {k}", "value": None, "unit": "", "source": str(v)})
    for d in Treatment.make(drugs).doses:
        for t in d.drug.targets:
            rows.append({"kind": "drug", "item": f"{d.drug.name} → {t.slot}", "value": t.ic50_nM, "unit": "nM",
                         "source": t.source or "not given"})
    df = pd.DataFrame(rows, columns=["kind", "item", "value", "unit", "source"])
    df["status"] = [_status(s) for s in df["source"]]
    return df


def _status(source: str) -> str:
    s = str(source).lower()
    if s.startswith("fitted"):
        return "fitted"
    if s.startswith("assumed") or "assumed" in s[:40]:
        return "assumed"
    if re.search(r"\bevidence [abc]\d\d|\b[abc]\d\d\b", s, re.I):
        return "evidence"
    if re.search(r"(19|20)\d\d", s):
        return "publication"
    return "other"
