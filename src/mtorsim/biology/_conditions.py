"""Media and drug schedules: the experimental conditions applied to a cell.

A treatment is data — doses with start and stop times — never events baked into the network
(STYLE.md §3). Concentrations are held in nM, times in hours.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from .._errors import InputError
from .._units import format_concentration, parse_duration_hours
from ._drugs import Drug, get_drug

#: medium presets -> model condition values (see model/_inputs.CONDITIONS for units)
MEDIA: dict[str, dict[str, float]] = {
    "full": {"estradiol": 0.1, "androgen": 0.0, "insulin_igf": 1.0, "egf": 1.0, "heregulin": 0.0, "energy_stress": 0.0},
    # charcoal stripping removes steroids (oestradiol) but keeps most peptide growth factors
    "charcoal_stripped": {"estradiol": 0.0, "androgen": 0.0, "insulin_igf": 0.8, "egf": 0.8, "heregulin": 0.0, "energy_stress": 0.0},
    "serum_free": {"estradiol": 0.0, "androgen": 0.0, "insulin_igf": 0.05, "egf": 0.05, "heregulin": 0.0, "energy_stress": 0.0},
}
MEDIA_SOURCE = ("assumed: full medium = 10% FBS (insulin/IGF and EGF-family activity = 1, oestrogenic activity ~0.1 nM "
                "oestradiol); charcoal-stripped serum loses steroids and ~20% of peptide activity; serum-free keeps 5%")


def _medium_key(name: str) -> str:
    return re.sub(r"[\s\-]", "_", name.strip().lower())


@dataclass(frozen=True)
class Medium:
    """Culture conditions. Start from a preset (``full``, ``charcoal_stripped``, ``serum_free``) and override.

    Parameters
    ----------
    preset : medium preset name.
    estradiol_nM, androgen_nM : steroid concentrations in nM (None: the preset's).
    insulin_igf, egf, heregulin : growth-factor stimulation relative to full serum (None: the preset's).
    energy_stress : AMPK-activating energy stress (0 = fed).
    """

    preset: str = "full"
    estradiol_nM: float | None = None
    androgen_nM: float | None = None
    insulin_igf: float | None = None
    egf: float | None = None
    heregulin: float | None = None
    energy_stress: float | None = None

    def __post_init__(self) -> None:
        key = _medium_key(self.preset)
        aliases = {"css": "charcoal_stripped", "stripped": "charcoal_stripped", "charcoal": "charcoal_stripped",
                   "sf": "serum_free", "starved": "serum_free", "fbs": "full", "serum": "full"}
        key = aliases.get(key, key)
        if key not in MEDIA:
            raise InputError("medium", self.preset, f"one of {', '.join(MEDIA)}")
        object.__setattr__(self, "preset", key)
        for f in ("estradiol_nM", "androgen_nM", "insulin_igf", "egf", "heregulin", "energy_stress"):
            v = getattr(self, f)
            if v is not None and not (isinstance(v, (int, float)) and math.isfinite(v) and v >= 0):
                raise InputError(f, v, "a finite, non-negative number")

    def values(self) -> dict[str, float]:
        v = dict(MEDIA[self.preset])
        for f, p in (("estradiol_nM", "estradiol"), ("androgen_nM", "androgen"), ("insulin_igf", "insulin_igf"), ("egf", "egf"),
                     ("heregulin", "heregulin"), ("energy_stress", "energy_stress")):
            if getattr(self, f) is not None:
                v[p] = float(getattr(self, f))
        return v

    @property
    def label(self) -> str:
        extra = [f"{k}={v:g}" for k, v in self.values().items() if v != MEDIA[self.preset][k]]
        return self.preset + (f"({', '.join(extra)})" if extra else "")


@dataclass(frozen=True)
class Dose:
    """A drug at a concentration (nM) from ``start_h`` until ``stop_h`` (washout; None = never)."""

    drug: Drug
    concentration_nM: float
    start_h: float = 0.0
    stop_h: float | None = None

    def __post_init__(self) -> None:
        if not (math.isfinite(self.concentration_nM) and self.concentration_nM >= 0):
            raise InputError(f"dose of {self.drug.name}", self.concentration_nM, "a finite, non-negative concentration")
        if not (math.isfinite(self.start_h) and self.start_h >= 0):
            raise InputError(f"start time of {self.drug.name}", self.start_h, "a time >= 0 h")
        if self.stop_h is not None and not (self.stop_h > self.start_h):
            raise InputError(f"stop time of {self.drug.name}", self.stop_h, f"a time after the start ({self.start_h} h)")

    @classmethod
    def make(cls, drug: str | Drug, dose: str | float, *, start: str | float = 0.0, stop: str | float | None = None) -> "Dose":
        d = get_drug(drug)
        if d.missing_potency:
            raise InputError("drug", d.name, f"a drug with a potency for every target; the catalogue lacks one for {', '.join(d.missing_potency)}")
        start_h = 0.0 if start is None else parse_duration_hours(start, field=f"start time of {d.name}", allow_zero=True)
        stop_h = None if stop is None else parse_duration_hours(stop, field=f"stop time of {d.name}")
        return cls(d, d.concentration_nM(dose), start_h, stop_h)

    @classmethod
    def parse(cls, text: str) -> "Dose":
        """Parse ``drug=dose[@start[-stop]]``, e.g. ``everolimus=10nM``, ``RAD001=5nM@2h``, ``torin1=250nM@0h-6h``."""
        m = re.fullmatch(r"\s*([^=@]+?)\s*=\s*([^@]+?)\s*(?:@\s*([^-]+?)\s*(?:-\s*(.+?))?)?\s*", str(text))
        if not m:
            raise InputError("drug", text, "DRUG=DOSE[@START[-STOP]], e.g. everolimus=10nM or everolimus=10nM@0h-24h")
        return cls.make(m.group(1), m.group(2), start=m.group(3) or 0.0, stop=m.group(4))

    @property
    def label(self) -> str:
        s = f"{self.drug.name} {format_concentration(self.concentration_nM)}"
        if self.start_h:
            s += f" from {self.start_h:g} h"
        if self.stop_h is not None:
            s += f" until {self.stop_h:g} h"
        return s


@dataclass(frozen=True)
class Treatment:
    """Doses given together (a combination) in one medium."""

    doses: tuple[Dose, ...] = ()
    medium: Medium = field(default_factory=Medium)

    @classmethod
    def make(cls, drugs=(), medium: str | Medium = "full", **medium_overrides) -> "Treatment":
        """Build from ``"drug=dose"`` strings, :class:`Dose` objects or a ``{drug: dose}`` mapping."""
        if isinstance(drugs, (str, Dose)):
            drugs = [drugs]
        if isinstance(drugs, dict):
            doses = tuple(Dose.make(k, v) for k, v in drugs.items())
        else:
            doses = tuple(d if isinstance(d, Dose) else Dose.parse(d) for d in drugs)
        med = medium if isinstance(medium, Medium) else Medium(medium, **medium_overrides)
        if isinstance(medium, Medium) and medium_overrides:
            raise InputError("medium", medium_overrides, "overrides only together with a preset name")
        return cls(doses, med)

    @property
    def label(self) -> str:
        return " + ".join(d.label for d in self.doses) or "untreated"

    def switch_times(self) -> list[float]:
        t = {d.start_h for d in self.doses} | {d.stop_h for d in self.doses if d.stop_h is not None}
        return sorted(t)

    def slot_inputs(self, time_h: float) -> dict[str, float]:
        """Model inputs ``u_<slot>`` and ``h_<slot>`` for the doses active at ``time_h``.

        Within a slot, exposures add as ``sum C_i/IC50_i`` (Loewe-consistent for equal Hill
        coefficients); the largest Hill coefficient of the active drugs is used.
        """
        u: dict[str, float] = {}
        h: dict[str, float] = {}
        for d in self.doses:
            if d.start_h <= time_h and (d.stop_h is None or time_h < d.stop_h):
                for t in d.drug.targets:
                    u[t.slot] = u.get(t.slot, 0.0) + d.concentration_nM / t.ic50_nM
                    h[t.slot] = max(h.get(t.slot, 0.0), t.hill)
        out = {f"u_{s}": v for s, v in u.items()}
        out.update({f"h_{s}": v for s, v in h.items() if s not in ("er_antagonist", "er_degrader")})
        return out
