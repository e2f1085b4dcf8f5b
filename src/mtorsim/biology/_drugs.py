"""The drug catalogue (``data/drugs.yaml``): targets (model slots), potency, molar mass, sources."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

import pandas as pd
import yaml

from .._errors import InputError, UnknownNameError
from .._units import parse_concentration
from ..model._inputs import DRUG_SLOTS
from ._cells import name_key


@dataclass(frozen=True)
class Target:
    """One drug action: the model ``slot`` it acts through and its potency (nM, Hill).

    ``ic50_nM`` is the potency the model uses in cells: the catalogue's target-level value
    (``target_ic50_nM``, biochemical or cellular target phosphorylation) times the drug's
    ``potency_factor`` (1 unless the catalogue gives one, see :class:`Drug`).
    """

    slot: str
    ic50_nM: float
    hill: float = 1.0
    assay: str = ""
    source: str = ""
    target_ic50_nM: float | None = None

    def __post_init__(self) -> None:
        if self.slot not in DRUG_SLOTS:
            raise InputError("target.slot", self.slot, f"one of {', '.join(DRUG_SLOTS)}")
        if not (self.ic50_nM > 0):
            raise InputError("target.ic50_nM", self.ic50_nM, "a positive potency in nM")


@dataclass(frozen=True)
class Drug:
    """A drug: generic name, synonyms and codes, class, mechanism, targets, molar mass (g/mol)."""

    name: str
    drug_class: str
    mechanism: str
    targets: tuple[Target, ...]
    molar_mass_g_per_mol: float | None = None
    synonyms: tuple[str, ...] = ()
    sources: dict = field(default_factory=dict, hash=False, compare=False)
    note: str = ""
    missing_potency: tuple[str, ...] = ()
    #: cellular growth-potency factor applied to every target potency (1 = the target-level values as they are);
    #: fitted per drug to the HMS LINCS GR50s for ATP-competitive PI3K/AKT/mTOR inhibitors (docs/catalogues.md)
    potency_factor: float = 1.0
    potency_factor_source: str = ""

    def concentration_nM(self, dose: str | float) -> float:
        """Parse a dose (``"10nM"``, ``"1 µM"``, ``"50 ng/mL"``) for this drug into nM."""
        return parse_concentration(dose, field=f"dose of {self.name}", molar_mass_g_per_mol=self.molar_mass_g_per_mol)


@lru_cache(maxsize=1)
def _catalogue() -> dict[str, Drug]:
    raw = yaml.safe_load(resources.files("mtorsim.biology").joinpath("data/drugs.yaml").read_text())
    out = {}
    for name, e in raw.items():
        targets, missing = [], []
        factor = e.get("potency_factor") or {"value": 1.0, "source": ""}
        f = factor.get("value")
        if not (isinstance(f, (int, float)) and f > 0):
            raise InputError(f"drugs.yaml {name}.potency_factor.value", f, "a positive number")
        for t in e.get("targets") or ():
            if t.get("ic50_nM") is None:
                missing.append(t["slot"])
                continue
            targets.append(Target(slot=t["slot"], ic50_nM=float(t["ic50_nM"]) * f, hill=float(t.get("hill") or 1.0),
                                  assay=str(t.get("assay") or ""), source=str(t.get("source") or ""),
                                  target_ic50_nM=float(t["ic50_nM"])))
        out[name] = Drug(name=name, drug_class=e.get("class", ""), mechanism=e.get("mechanism", ""), targets=tuple(targets),
                         molar_mass_g_per_mol=e.get("molar_mass_g_per_mol"), synonyms=tuple(str(s) for s in e.get("synonyms") or ()),
                         sources=dict(e.get("sources") or {}), note=str(e.get("note") or ""),
                         missing_potency=tuple(missing), potency_factor=float(f),
                         potency_factor_source=str(factor.get("source") or ""))
    return out


@lru_cache(maxsize=1)
def _index() -> dict[str, str]:
    idx = {}
    for name, d in _catalogue().items():
        for s in (name, *d.synonyms):
            idx[name_key(s)] = name
    return idx


def get_drug(name: str | Drug) -> Drug:
    """Look a drug up by generic name, code or synonym, case-insensitively (RAD001 → everolimus)."""
    if isinstance(name, Drug):
        return name
    if not isinstance(name, str) or not name.strip():
        raise InputError("drug", name, "a drug name, e.g. everolimus (see `mtorsim drugs`)")
    key = name_key(name)
    if key not in _index():
        raise UnknownNameError("drug", name, list(_catalogue()) + [s for d in _catalogue().values() for s in d.synonyms])
    return _catalogue()[_index()[key]]


def drug_names() -> list[str]:
    return list(_catalogue())


def drugs_table() -> pd.DataFrame:
    rows = []
    for d in _catalogue().values():
        rows.append({"drug": d.name, "class": d.drug_class, "synonyms": ", ".join(d.synonyms[:4]),
                     "targets": ", ".join(f"{t.slot} ({t.ic50_nM:g} nM)" for t in d.targets),
                     "potency_factor": d.potency_factor,
                     "molar_mass_g_per_mol": d.molar_mass_g_per_mol})
    return pd.DataFrame(rows).set_index("drug")
