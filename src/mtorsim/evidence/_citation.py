"""``citation()``: what a given run relies on — model parameters, genotype effects, drug potencies and
PK, the methods and the data sets — each with its source, so a figure can say where its numbers came
from (STYLE.md §10).

A run can be described directly (``citation("MCF7", ["everolimus=10nM"], kind="combo")``) or read back
from the results store (``citation(run="<run id>")``): the run's kind says which methods it used, its
specification which cell lines and drugs, and its recorded versions which software.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping

import pandas as pd

from .._errors import InputError, MtorsimError
from ..biology import CellLine, Treatment, get_cell
from ..model import build_network

__all__ = ["METHOD_REFERENCES", "citation", "format_citation"]

COLUMNS = ["kind", "item", "value", "unit", "source", "status"]
FORMATS = ("text", "bibtex", "json")

#: References for the methods mtorsim implements or uses. Each was checked against the publication's
#: record (the entries' ``checked`` field says where); no DOI is given unless it was seen there.
METHOD_REFERENCES: dict[str, dict] = {
    "somogyi2015": {
        "method": "ODE integration: libRoadRunner (LLVM-compiled SBML, CVODE integrator)",
        "authors": ["Somogyi, E. T.", "Bouteiller, J.-M.", "Glazier, J. A.", "König, M.", "Medley, J. K.",
                    "Swat, M. H.", "Sauro, H. M."],
        "title": "libRoadRunner: a high performance SBML simulation and analysis library",
        "journal": "Bioinformatics", "year": 2015, "volume": "31", "number": "20", "pages": "3315--3321",
        "doi": "10.1093/bioinformatics/btv363", "checked": "PubMed Central PMC4607739"},
    "hafner2016": {
        "method": "growth-rate inhibition (GR) metrics: GR50, GRmax, GEC50, GR_AOC",
        "authors": ["Hafner, M.", "Niepel, M.", "Chung, M.", "Sorger, P. K."],
        "title": "Metrics of drug sensitivity and resistance based on growth rate inhibition correct for the "
                 "confounding effects of variable division rates",
        "journal": "Nature Methods", "year": 2016, "volume": "13", "pages": "521",
        "doi": "10.1038/nmeth.3853", "checked": "datarail/gr_metrics README (the GR metrics' reference code)"},
    "bliss1939": {
        "method": "synergy: Bliss independence",
        "authors": ["Bliss, C. I."], "title": "The toxicity of poisons applied jointly",
        "journal": "Annals of Applied Biology", "year": 1939, "volume": "26", "pages": "585--615",
        "checked": "docs/synergy.md"},
    "berenbaum1989": {
        "method": "synergy: highest single agent (HSA)",
        "authors": ["Berenbaum, M. C."], "title": "What is synergy?",
        "journal": "Pharmacological Reviews", "year": 1989, "volume": "41", "pages": "93--141",
        "checked": "docs/synergy.md"},
    "loewe1926": {
        "method": "synergy: Loewe additivity",
        "authors": ["Loewe, S.", "Muischnek, H."], "title": "",
        "journal": "Archiv für experimentelle Pathologie und Pharmakologie", "year": 1926, "volume": "114",
        "pages": "313--326", "checked": "docs/synergy.md"},
    "chou1984": {
        "method": "synergy: combination index (with Loewe)",
        "authors": ["Chou, T.-C.", "Talalay, P."], "title": "",
        "journal": "Advances in Enzyme Regulation", "year": 1984, "volume": "22", "pages": "27--55",
        "checked": "docs/synergy.md"},
    "yadav2015": {
        "method": "synergy: zero interaction potency (ZIP)",
        "authors": ["Yadav, B.", "Wennerberg, K.", "Aittokallio, T.", "Tang, J."],
        "title": "Searching for drug synergy in complex dose-response landscapes using an interaction potency model",
        "journal": "Computational and Structural Biotechnology Journal", "year": 2015, "volume": "13",
        "pages": "504--513", "checked": "docs/synergy.md"},
    "schmiester2021": {
        "method": "calibration problems in the PEtab format",
        "authors": ["Schmiester, L.", "Schälte, Y.", "Bergmann, F. T.", "others"],
        "title": "PEtab—Interoperable specification of parameter estimation problems in systems biology",
        "journal": "PLOS Computational Biology", "year": 2021, "volume": "17", "number": "1",
        "doi": "10.1371/journal.pcbi.1008646", "checked": "libpetab-python doc/how_to_cite.rst"},
    "raue2009": {
        "method": "identifiability: profile likelihood",
        "authors": ["Raue, A.", "others"],
        "title": "",
        "journal": "Bioinformatics", "year": 2009, "volume": "25", "pages": "1923",
        "checked": "docs/calibration.md (Bioinformatics 25:1923)"},
}

_SYNERGY_REFS = {"bliss": ["bliss1939"], "hsa": ["berenbaum1989"], "loewe": ["loewe1926", "chou1984"], "zip": ["yadav2015"]}

#: which method references each kind of run relies on (the engine is added for every kind that simulates)
_KIND_METHODS = {
    "simulate": [], "simulate-many": [], "simulate_many": [], "flagship": [],
    "screen": ["hafner2016"], "dose-response": ["hafner2016"], "dose_response": ["hafner2016"],
    "combo": ["hafner2016"], "combination": ["hafner2016"],
    "calibrate": ["schmiester2021"], "profile": ["schmiester2021", "raue2009"], "petab": ["schmiester2021"],
    "report": ["hafner2016", "bliss1939", "loewe1926", "chou1984"],
    "trial": [], "pk": [],
}
_USES_FATE = {"screen", "dose-response", "dose_response", "combo", "combination", "report", "trial", "phenotype"}
_USES_SYNERGY = {"combo", "combination"}


def citation(cell: str | CellLine | None = None, drugs=(), *, include_model: bool = True, kind: str | None = None,
             run: str | None = None, store=None, methods: Iterable[str] | None = None) -> pd.DataFrame:
    """Sources behind a simulation of ``cell`` under ``drugs``, or behind a recorded run.

    Parameters
    ----------
    cell, drugs : the cell line (name or :class:`CellLine`) and drugs (``"drug=dose"`` strings or names).
    include_model : list the network's own parameters (most runs rely on all of them).
    kind : the kind of run (``simulate``, ``screen``, ``combo``, ``calibrate``, ``report``, ``trial``...):
        adds the methods and data sets that kind of run uses.
    run : a run id (or unique prefix) in the results store; its kind, cell lines, drugs, synergy methods,
        seed, parameter-set id and software versions are read from the store (``store``: its folder).
    methods : synergy methods used (default for a combination: all four).

    Returns
    -------
    DataFrame with columns ``kind`` (model parameter, genotype, cell line, drug, PK, method, data set,
    software, run), ``item``, ``value``, ``unit``, ``source`` and ``status`` (``evidence``, ``publication``,
    ``fitted``, ``assumed``, ``other``). ``attrs`` holds the run's id and kind when ``run`` was given.

    Examples
    --------
    >>> tab = citation("MCF7", ["everolimus=10nM"])
    >>> set(tab["kind"]) >= {"model parameter", "genotype", "drug", "method"}
    True
    """
    rows: list[dict] = []
    info: dict = {}
    cells: list = [] if cell is None else [cell]
    drug_items = _as_list(drugs)
    if run is not None:
        info = _run_record(run, store)
        kind = kind or info["kind"]
        spec = info.get("spec") or {}
        cells += [c for c in _find_cells(spec) if c not in cells]
        drug_items += [d for d in _find_drugs(spec) if d not in drug_items]
        if methods is None:
            methods = _find_methods(spec)
        rows.append({"kind": "run", "item": f"{info['run_id']} ({info['kind']}, {info.get('status', '')})", "value": None,
                     "unit": "", "source": f"results store {info.get('store', '')}; seed {info.get('seed')}; "
                                           f"parameter set {info.get('parameter_set_id')}"})
    if include_model:
        for p in build_network().parameters.values():
            if p.source.startswith(("set by", "genotype parameter", "condition set")):
                continue
            rows.append({"kind": "model parameter", "item": p.name, "value": p.value, "unit": p.unit, "source": p.source})
    for c in cells:
        c = get_cell(c)
        for e in c.effects():
            rows.append({"kind": "genotype", "item": f"{c.name}: {e.parameter} {e.op} {e.value:g}", "value": e.value,
                         "unit": "", "source": e.source})
        for k, v in c.sources.items():
            rows.append({"kind": "cell line", "item": f"{c.name}: {k}", "value": None, "unit": "", "source": str(v)})
    drug_objs = _drugs(drug_items)
    for d in drug_objs:
        for t in d.targets:
            rows.append({"kind": "drug", "item": f"{d.name} → {t.slot}", "value": t.target_ic50_nM, "unit": "nM",
                         "source": t.source or "not given"})
        if d.potency_factor != 1.0:
            rows.append({"kind": "drug", "item": f"{d.name}: cellular potency factor (multiplies every target IC50)",
                         "value": d.potency_factor, "unit": "1", "source": d.potency_factor_source or "not given"})
    if kind in ("trial", "pk"):
        rows += _pk_rows(drug_objs)
    rows += _method_rows(kind, methods, include_model)
    rows += _dataset_rows(rows, kind)
    rows += _software_rows(info.get("versions"))
    df = pd.DataFrame(rows, columns=COLUMNS[:-1])
    df["status"] = [_status(s) if k not in ("method", "software", "run", "data set") else k for k, s in zip(df["kind"], df["source"])]
    df.attrs.update({k: info[k] for k in ("run_id", "kind", "seed", "parameter_set_id") if k in info})
    return df


def _as_list(drugs) -> list:
    if drugs is None:
        return []
    if isinstance(drugs, str):
        return [d.strip() for d in re.split(r"[;]", drugs) if d.strip()]
    if isinstance(drugs, Mapping):
        return [f"{k}={v}" for k, v in drugs.items()]
    return list(drugs)


def _drugs(items) -> list:
    """Drug objects from ``"drug=dose"`` strings, :class:`Dose` objects or bare drug names (no duplicates)."""
    from ..biology import get_drug

    out = []
    for it in items:
        if isinstance(it, str) and "=" not in it:
            d = get_drug(it.strip())
        else:
            d = Treatment.make([it]).doses[0].drug
        if d.name not in [o.name for o in out]:
            out.append(d)
    return out


def _run_record(run: str, store) -> dict:
    from ..store import Store

    st = store if isinstance(store, Store) else Store(store)
    try:
        return st.show(str(run))
    except MtorsimError:
        raise
    except Exception as exc:  # the store's own errors name the run; anything else is reported as bad input
        raise InputError("run", run, f"a run id in the results store at {st.path} ({exc})") from None


def _strings(obj) -> list[str]:
    if isinstance(obj, str):
        return [obj]
    if isinstance(obj, Mapping):
        return [s for v in obj.values() for s in _strings(v)]
    if isinstance(obj, (list, tuple)):
        return [s for v in obj for s in _strings(v)]
    return []


def _find_cells(spec: Mapping) -> list[str]:
    """Cell-line names in a run's specification (keys ``cell``/``cells``, or any catalogue name)."""
    from ..biology import cell_names

    known = {n.lower(): n for n in cell_names()}
    found = []
    for key in ("cell", "cells"):
        for s in _strings(spec.get(key)):
            for part in re.split(r"[,;]", s):
                try:
                    name = get_cell(part.strip()).name
                except (InputError, KeyError):
                    continue
                if name not in found:
                    found.append(name)
    if not found:
        for s in _strings(spec):
            if s.lower() in known and known[s.lower()] not in found:
                found.append(known[s.lower()])
    return found


def _find_drugs(spec: Mapping) -> list[str]:
    """Drug names in a run's specification (any string naming a catalogue drug or synonym)."""
    from ..biology import drug_names, get_drug

    names = {n.lower() for n in drug_names()}
    found: list[str] = []
    for s in _strings(spec):
        for token in re.split(r"[,;+\s]+", s):
            token = token.split("=")[0].strip()
            if not token or len(token) < 4:
                continue
            try:
                name = get_drug(token).name if token.lower() in names or token[0].isalpha() else None
            except (InputError, KeyError):
                name = None
            if name and name not in found:
                found.append(name)
    return found


def _find_methods(spec: Mapping) -> list[str] | None:
    m = spec.get("methods")
    return [str(x).lower() for x in _strings(m)] if m else None


def _pk_rows(drugs) -> list[dict]:
    try:
        from ..clinic import get_pk
    except ImportError:  # pragma: no cover - the clinic layer is optional in older trees
        return []
    rows = []
    for d in drugs:
        try:
            pk = get_pk(d.name)
        except (InputError, KeyError):
            continue
        for p in pk.parameters.values():
            rows.append({"kind": "PK", "item": f"{d.name}: {p.name}", "value": p.value, "unit": p.unit, "source": p.source})
    return rows


def _method_rows(kind: str | None, methods, simulates: bool) -> list[dict]:
    keys: list[str] = []
    if simulates or kind is not None:
        keys.append("somogyi2015")
    keys += _KIND_METHODS.get(kind or "", [])
    if kind in _USES_SYNERGY or methods:
        for m in (methods or _SYNERGY_REFS):
            keys += _SYNERGY_REFS.get(m, [])
    rows, seen = [], set()
    for k in keys:
        if k in seen:
            continue
        seen.add(k)
        ref = METHOD_REFERENCES[k]
        rows.append({"kind": "method", "item": ref["method"], "value": None, "unit": "", "source": _ref_text(ref)})
    if kind in _USES_FATE:
        rows.append({"kind": "method", "item": "cell fate from signalling (division, arrest, death rates)", "value": None,
                     "unit": "", "source": "mtorsim.fate (docs/fate.md); parameters below"})
        from ..fate import FATE_SOURCES, FateParameters

        fp = FateParameters()
        for name, (unit, src) in FATE_SOURCES.items():
            rows.append({"kind": "model parameter", "item": f"fate: {name}", "value": getattr(fp, name, None),
                         "unit": unit, "source": src})
    return rows


def _dataset_rows(rows: list[dict], kind: str | None) -> list[dict]:
    """Data sets the run's numbers were fitted to (read from 'fitted to ...' sources) or compared with."""
    found: dict[str, str] = {}
    for r in rows:
        m = re.match(r"\s*fitted to\s+(.+)", str(r["source"]), re.I)
        if m:
            name = re.split(r"\s*[(;]", m.group(1))[0].strip()
            found.setdefault(name, m.group(1).strip())
    if kind == "report":
        found.setdefault("Nelander et al. 2008", "Nelander et al. 2008 Mol Syst Biol 4:216 (MCF7 perturbation data; "
                                                 "the scorecard's sign agreement)")
    return [{"kind": "data set", "item": k, "value": None, "unit": "", "source": v} for k, v in found.items()]


def _software_rows(versions: Mapping | None) -> list[dict]:
    if not versions:
        from ..simulate._engine import get_engine  # noqa: F401  (ensures roadrunner is importable)
        from importlib.metadata import PackageNotFoundError, version

        versions = {}
        for pkg in ("mtorsim", "libroadrunner", "numpy", "scipy", "pandas", "xarray"):
            try:
                versions[pkg] = version(pkg)
            except PackageNotFoundError:
                continue
    return [{"kind": "software", "item": k, "value": None, "unit": "", "source": str(v)} for k, v in sorted(versions.items())]


def _ref_text(ref: Mapping) -> str:
    authors = ref["authors"]
    who = authors[0].split(",")[0] + (" et al." if len(authors) > 2 else f" & {authors[1].split(',')[0]}" if len(authors) == 2 else "")
    parts = [f"{who} {ref['year']}"]
    if ref.get("title"):
        parts.append(ref["title"])
    parts.append(f"{ref['journal']} {ref['volume']}:{ref.get('pages', '').replace('--', '-')}".rstrip(":"))
    if ref.get("doi"):
        parts.append(f"doi:{ref['doi']}")
    return ". ".join(parts)


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


def format_citation(table: pd.DataFrame, format: str = "text") -> str:
    """Render a :func:`citation` table: ``text`` (grouped, for people), ``bibtex`` (the method references)
    or ``json`` (every row, with the run's id and kind)."""
    fmt = str(format).lower()
    if fmt not in FORMATS:
        raise InputError("format", format, f"one of {', '.join(FORMATS)}")
    if fmt == "json":
        records = json.loads(table.to_json(orient="records", double_precision=15, force_ascii=False, default_handler=str))
        return json.dumps({**{k: v for k, v in table.attrs.items()}, "sources": records}, indent=2, ensure_ascii=False)
    if fmt == "bibtex":
        used = set(table.loc[table["kind"] == "method", "source"])
        entries = [_bibtex(k, ref) for k, ref in METHOD_REFERENCES.items() if _ref_text(ref) in used]
        return "\n\n".join(entries) + ("\n" if entries else "")
    lines = []
    if table.attrs.get("run_id"):
        lines.append(f"run {table.attrs['run_id']} ({table.attrs.get('kind')})")
    counts = table[table["kind"].isin(["model parameter", "genotype", "drug", "PK"])]["status"].value_counts()
    if len(counts):
        lines.append("parameter sources: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    for kind, title in (("run", "Run"), ("method", "Methods"), ("data set", "Data sets"), ("genotype", "Genotype"),
                        ("cell line", "Cell lines"), ("drug", "Drugs"), ("PK", "Pharmacokinetics"),
                        ("model parameter", "Model parameters"), ("software", "Software")):
        part = table[table["kind"] == kind]
        if not len(part):
            continue
        lines += ["", f"{title} ({len(part)})"]
        for _, r in part.iterrows():
            val = "" if r["value"] is None or pd.isna(r["value"]) else f" = {r['value']:g} {r['unit']}".rstrip()
            lines.append(f"  {r['item']}{val}: {r['source']}")
    return "\n".join(lines).strip() + "\n"


def _bibtex(key: str, ref: Mapping) -> str:
    fields = {"author": " and ".join(ref["authors"]), "title": ref.get("title") or None, "journal": ref["journal"],
              "year": str(ref["year"]), "volume": ref.get("volume"), "number": ref.get("number"),
              "pages": ref.get("pages"), "doi": ref.get("doi"), "note": f"mtorsim: {ref['method']}"}
    body = ",\n".join(f"  {k} = {{{v}}}" for k, v in fields.items() if v)
    return f"@article{{{key},\n{body}\n}}"
