"""The cell-line catalogue (``data/cells.yaml``) and user-defined genotypes."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import lru_cache
from importlib import resources

import pandas as pd
import yaml

from .._errors import InputError, UnknownNameError
from ._genotype import Effect, alteration_effects, receptor_effects, trait_effects

_EXPRESSION_PARAMS = {"ER": "gene_ESR1", "HER2": "level_HER2", "EGFR": "level_EGFR", "PTEN": "level_PTEN",
                      "IGF1R": "gene_IGF1R", "HER3": "gene_HER3", "IRS1": "gene_IRS1", "S6K1": "gene_S6K1", "AKT": "level_AKT"}


def name_key(name: str) -> str:
    """Lookup key: case-insensitive, ignoring spaces, '-', '_' and '.' (MCF-7 == mcf7)."""
    return re.sub(r"[\s\-_.]", "", str(name)).lower()


@dataclass(frozen=True)
class CellLine:
    """A breast cancer cell line (or user-defined genotype) as data applied to the model.

    Parameters
    ----------
    name : display name.
    alterations : pathway alterations (``GENE:change``) that the model reads.
    receptors : ER/PR/HER2 status (positive, negative, low).
    traits : derived-line adaptations: ``LTED``, ``aromatase``, ``mtorc2_rapalog_sensitive``.
    expression : relative levels vs MCF7 (ER, HER2, EGFR, PTEN, IGF1R, HER3, IRS1, S6K1, AKT).
    doubling_time_h : untreated doubling time in hours (for the cell-fate layer), or None.
    """

    name: str
    alterations: tuple[str, ...] = ()
    receptors: dict = field(default_factory=dict)
    traits: tuple[str, ...] = ()
    expression: dict = field(default_factory=dict)
    synonyms: tuple[str, ...] = ()
    subtype: str | None = None
    info_alterations: tuple[str, ...] = ()
    doubling_time_h: float | None = None
    parent: str | None = None
    sources: dict = field(default_factory=dict)
    note: str = ""
    user_defined: bool = False

    def __post_init__(self) -> None:
        for a in self.alterations:
            alteration_effects(a)  # validates
        for t in self.traits:
            trait_effects(t)
        for k, v in self.expression.items():
            if k not in _EXPRESSION_PARAMS:
                raise InputError(f"{self.name}.expression", k, f"one of {', '.join(_EXPRESSION_PARAMS)}")
            if not (isinstance(v, (int, float)) and v >= 0):
                raise InputError(f"{self.name}.expression.{k}", v, "a non-negative number (relative to MCF7)")

    def __hash__(self) -> int:
        return hash((self.name, self.alterations, tuple(sorted(self.receptors.items())), self.traits,
                     tuple(sorted(self.expression.items()))))

    def effects(self) -> list[Effect]:
        """All parameter effects of this line, in order: receptors, alterations, expression, traits."""
        out = receptor_effects(self.receptors, self.alterations)
        for a in self.alterations:
            out += alteration_effects(a)
        for k, v in self.expression.items():
            out.append(Effect(_EXPRESSION_PARAMS[k], "mul", float(v), f"{self.name} expression relative to MCF7: {self.sources.get('expression', 'given by the user')}"))
        for t in self.traits:
            out += trait_effects(t)
        return out

    def with_changes(self, *, name: str | None = None, add: tuple[str, ...] = (), remove: tuple[str, ...] = (),
                     traits: tuple[str, ...] = (), receptors: dict | None = None) -> "CellLine":
        """A user-defined variant (e.g. ``MCF7.with_changes(add=("AKT1:myr",))``)."""
        alts = tuple(a for a in self.alterations if a not in remove) + tuple(add)
        return replace(self, name=name or f"{self.name}[{','.join(('+' + a) for a in add) + ','.join(('-' + r) for r in remove) + ','.join(traits)}]",
                       alterations=alts, traits=tuple(self.traits) + tuple(traits),
                       receptors={**self.receptors, **(receptors or {})}, user_defined=True, synonyms=())


def define_cell(name: str, *, alterations=(), receptors=None, traits=(), expression=None, base: str | CellLine | None = None,
                doubling_time_h: float | None = None) -> CellLine:
    """Define a genotype of your own, from scratch or on top of a catalogue line (``base``)."""
    if base is not None:
        b = get_cell(base) if isinstance(base, str) else base
        return replace(b.with_changes(name=name, add=tuple(alterations), traits=tuple(traits), receptors=receptors),
                       expression={**b.expression, **(expression or {})},
                       doubling_time_h=doubling_time_h or b.doubling_time_h)
    return CellLine(name=name, alterations=tuple(alterations), receptors=dict(receptors or {"ER": "positive"}),
                    traits=tuple(traits), expression=dict(expression or {}), doubling_time_h=doubling_time_h, user_defined=True)


@lru_cache(maxsize=1)
def _catalogue() -> dict[str, CellLine]:
    raw = yaml.safe_load(resources.files("mtorsim.biology").joinpath("data/cells.yaml").read_text())
    out: dict[str, CellLine] = {}
    # parents first
    order = sorted(raw, key=lambda n: raw[n].get("parent") is not None)
    for name in order:
        e = raw[name] or {}
        parent = out.get(e["parent"]) if e.get("parent") else None
        def pick(key, default):
            if key in e and e[key] is not None:
                return e[key]
            return getattr(parent, key) if parent is not None else default
        out[name] = CellLine(
            name=name,
            alterations=tuple(pick("alterations", ())),
            receptors=dict(pick("receptors", {}) or {}),
            traits=tuple(e.get("traits") or ()),
            expression=dict(e.get("expression") or {}),
            synonyms=tuple(e.get("synonyms") or ()),
            subtype=pick("subtype", None),
            info_alterations=tuple(pick("info_alterations", ())),
            doubling_time_h=e.get("doubling_time_h"),   # a derived line grows differently: never inherited
            parent=e.get("parent"),
            sources=dict(e.get("sources") or {}),
            note=str(e.get("note") or ""),
        )
    return out


@lru_cache(maxsize=1)
def _index() -> dict[str, str]:
    idx: dict[str, str] = {}
    for name, c in _catalogue().items():
        for s in (name, *c.synonyms):
            idx[name_key(s)] = name
    return idx


def get_cell(name: str | CellLine) -> CellLine:
    """Look a cell line up by any usual spelling (MCF7, MCF-7, mcf7; MDA-MB-231, MDAMB231)."""
    if isinstance(name, CellLine):
        return name
    if not isinstance(name, str) or not name.strip():
        raise InputError("cell", name, "a cell-line name, e.g. MCF7 (see `mtorsim cells`)")
    key = name_key(name)
    idx = _index()
    if key not in idx:
        raise UnknownNameError("cell", name, list(_catalogue()))
    return _catalogue()[idx[key]]


def cell_names() -> list[str]:
    return list(_catalogue())


def cells_table() -> pd.DataFrame:
    """The catalogue as a table (one row per line)."""
    rows = []
    for c in _catalogue().values():
        rows.append({"cell": c.name, "subtype": c.subtype, "ER": c.receptors.get("ER"), "PR": c.receptors.get("PR"),
                     "HER2": c.receptors.get("HER2"), "alterations": ", ".join(c.alterations), "traits": ", ".join(c.traits),
                     "doubling_time_h": c.doubling_time_h, "parent": c.parent, "source": c.sources.get("alterations", "")})
    return pd.DataFrame(rows).set_index("cell")
