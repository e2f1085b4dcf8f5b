"""The network as a value: species, parameters, rules, reactions and observables.

Each element carries its unit and its source; the model is built once (``_pathway.py``) from
small motif functions (``_motifs.py``) and exported to Antimony and SBML (``_export.py``).
Nothing here knows about drugs, cell lines or simulation engines.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def _check_ident(kind: str, name: str) -> None:
    if not _IDENT.match(name):
        raise ValueError(f"{kind} name {name!r} is not a valid SBML identifier")


@dataclass(frozen=True)
class Parameter:
    """A model constant. ``unit`` is a readable unit string (e.g. ``1/h``, ``nM``, ``1``).

    ``source`` is an evidence id (``evidence C01``), a publication, a published model,
    ``fitted to <data>`` or ``assumed: <why>``.
    """

    name: str
    value: float
    unit: str
    source: str
    description: str = ""

    def __post_init__(self) -> None:
        _check_ident("parameter", self.name)
        if not self.source:
            raise ValueError(f"parameter {self.name}: a source is required")


@dataclass(frozen=True)
class Species:
    """A state variable. Amounts are relative (1 = reference level) unless the unit says otherwise."""

    name: str
    initial: float
    unit: str
    description: str
    kind: str = "state"  # 'state' (changes by reactions) or 'fraction' (0..1 of a total)

    def __post_init__(self) -> None:
        _check_ident("species", self.name)


@dataclass(frozen=True)
class Rule:
    """An algebraic quantity recomputed at every time (an SBML assignment rule)."""

    name: str
    expression: str
    unit: str
    description: str

    def __post_init__(self) -> None:
        _check_ident("rule", self.name)


@dataclass(frozen=True)
class Reaction:
    """A flux ``rate`` (expression, unit of the species per hour) turning reactants into products."""

    name: str
    reactants: tuple[str, ...]
    products: tuple[str, ...]
    rate: str
    description: str

    def __post_init__(self) -> None:
        _check_ident("reaction", self.name)


@dataclass(frozen=True)
class Observable:
    """A named readout (stable public name), as an expression of species and rules."""

    name: str
    expression: str
    description: str
    unit: str = "relative"

    def __post_init__(self) -> None:
        _check_ident("observable", self.name)


@dataclass
class Network:
    """A mutable builder that becomes the single source of truth for the model.

    Use :meth:`freeze` when done; the frozen copy is what the rest of the package uses.
    """

    name: str
    description: str = ""
    species: dict[str, Species] = field(default_factory=dict)
    parameters: dict[str, Parameter] = field(default_factory=dict)
    rules: dict[str, Rule] = field(default_factory=dict)
    reactions: dict[str, Reaction] = field(default_factory=dict)
    observables: dict[str, Observable] = field(default_factory=dict)
    modules: dict[str, list[str]] = field(default_factory=dict)
    _module: str = "core"
    _frozen: bool = False

    # -- building -----------------------------------------------------------------------------
    def module(self, name: str) -> "Network":
        """Set the current module (a label used in docs, diagrams and the Antimony export)."""
        self._module = name
        self.modules.setdefault(name, [])
        return self

    def _add(self, table: dict, item, kind: str):
        if self._frozen:
            raise RuntimeError("network is frozen")
        if item.name in self.species or item.name in self.parameters or item.name in self.rules or item.name in self.reactions:
            raise ValueError(f"{kind} {item.name!r} is already defined")
        table[item.name] = item
        self.modules.setdefault(self._module, []).append(item.name)
        return item

    def par(self, name: str, value: float, unit: str, source: str, description: str = "") -> str:
        self._add(self.parameters, Parameter(name, float(value), unit, source, description), "parameter")
        return name

    def spec(self, name: str, initial: float, unit: str, description: str, kind: str = "state") -> str:
        self._add(self.species, Species(name, float(initial), unit, description, kind), "species")
        return name

    def rule(self, name: str, expression: str, unit: str, description: str) -> str:
        self._add(self.rules, Rule(name, expression, unit, description), "rule")
        return name

    def rxn(self, name: str, reactants: tuple[str, ...], products: tuple[str, ...], rate: str, description: str) -> str:
        self._add(self.reactions, Reaction(name, tuple(reactants), tuple(products), rate, description), "reaction")
        return name

    def obs(self, name: str, expression: str, description: str, unit: str = "relative") -> str:
        if name in self.observables:
            raise ValueError(f"observable {name!r} is already defined")
        self.observables[name] = Observable(name, expression, description, unit)
        return name

    def freeze(self) -> "Network":
        self._check()
        self._frozen = True
        return self

    # -- checks -------------------------------------------------------------------------------
    def symbols(self) -> set[str]:
        return set(self.species) | set(self.parameters) | set(self.rules)

    def _check(self) -> None:
        known = self.symbols() | {"time", "exp", "log", "pow", "min", "max", "piecewise", "sqrt", "abs"}
        token = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
        for kind, items in (("rule", self.rules.values()), ("reaction", self.reactions.values()), ("observable", self.observables.values())):
            for it in items:
                expr = it.expression if hasattr(it, "expression") else it.rate
                unknown = {t for t in token.findall(expr) if t not in known}
                if unknown:
                    raise ValueError(f"{kind} {it.name}: unknown symbols {sorted(unknown)} in {expr!r}")
        for r in self.reactions.values():
            for s in r.reactants + r.products:
                if s not in self.species:
                    raise ValueError(f"reaction {r.name}: unknown species {s!r}")
