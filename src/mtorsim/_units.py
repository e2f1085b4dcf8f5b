"""Units at the boundary: one pint registry; inside the package everything is a float in
canonical units (concentrations in nM, time in hours)."""

from __future__ import annotations

import re
from functools import lru_cache

import pint

from ._errors import InputError

ureg = pint.UnitRegistry()
ureg.define("molar = mole / liter = M")
Q_ = ureg.Quantity

_NUM = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"
_ALLOWED = "a number with a unit: pM, nM, uM/µM, mM, M, or pg/mL, ng/mL, ug/mL, mg/mL, mg/L (mass units need the molar mass)"


def parse_concentration(text: str | float | int, *, field: str = "dose", molar_mass_g_per_mol: float | None = None) -> float:
    """Parse a concentration such as ``"10nM"``, ``"1 µM"`` or ``"50 ng/mL"`` into nM.

    Bare numbers are taken as nM. Mass concentrations need ``molar_mass_g_per_mol``.
    Negative, non-finite or unit-less-but-non-numeric values raise :class:`InputError`.
    """
    if isinstance(text, bool):
        raise InputError(field, text, _ALLOWED)
    if isinstance(text, (int, float)):
        value = float(text)
        if not value >= 0 or value == float("inf"):
            raise InputError(field, text, "a finite, non-negative concentration")
        return value
    s = str(text).strip().replace("µ", "u").replace("μ", "u")
    m = re.fullmatch(rf"({_NUM})\s*([A-Za-z/]*)", s)
    if not m:
        raise InputError(field, text, _ALLOWED)
    value, unit = float(m.group(1)), m.group(2)
    if value < 0:
        raise InputError(field, text, "a non-negative concentration")
    unit = unit or "nM"
    try:
        kind, factor = _unit_info(unit.replace("ml", "mL").replace("ul", "uL"))
    except Exception:  # pint raises several error types for unknown units
        raise InputError(field, text, _ALLOWED) from None
    if kind == "molar":
        return value * factor
    if kind == "mass":
        if molar_mass_g_per_mol is None:
            raise InputError(field, text, "a molar unit (pM, nM, uM, mM): this drug has no molar mass in the catalogue")
        return value * factor / molar_mass_g_per_mol
    raise InputError(field, text, _ALLOWED)


@lru_cache(maxsize=256)
def _unit_info(unit: str) -> tuple[str, float]:
    """(kind, factor) of a concentration unit, parsed by pint once per spelling (parsing costs ~0.1 ms,
    a tenth of a simulation): ``molar`` -> nM per unit; ``mass`` -> nM per unit for a molar mass of
    1 g/mol (divide by the molar mass); ``other`` for anything else."""
    q = Q_(1.0, unit)
    if q.check("[substance] / [length] ** 3"):
        return "molar", float(q.to("nM").magnitude)
    if q.check("[mass] / [length] ** 3"):
        return "mass", float((q / Q_(1.0, "g/mol")).to("nM").magnitude)
    return "other", float("nan")


def parse_duration_hours(text: str | float | int, *, field: str = "hours", allow_zero: bool = False) -> float:
    """Parse a duration (``48``, ``"48h"``, ``"2 d"``, ``"30 min"``) into hours; must be > 0 (or ≥ 0 with ``allow_zero``)."""
    if isinstance(text, (int, float)) and not isinstance(text, bool):
        hours = float(text)
    else:
        s = str(text).strip()
        m = re.fullmatch(rf"({_NUM})\s*(h|hr|hours?|min|minutes?|d|days?|s)?", s)
        if not m:
            raise InputError(field, text, "a positive duration: a number of hours, or with a unit h, min, d")
        factor = {"h": 1, "hr": 1, "hour": 1, "hours": 1, "min": 1 / 60, "minute": 1 / 60, "minutes": 1 / 60,
                  "d": 24, "day": 24, "days": 24, "s": 1 / 3600, None: 1}[m.group(2)]
        hours = float(m.group(1)) * factor
    if not (hours > 0 or (allow_zero and hours == 0)) or hours == float("inf"):
        raise InputError(field, text, "a " + ("non-negative" if allow_zero else "positive") + ", finite duration in hours")
    return hours


def format_concentration(nM: float) -> str:
    """A compact human label for a concentration given in nM (``10nM``, ``1uM``)."""
    if nM == 0:
        return "0"
    for unit, f in (("mM", 1e6), ("uM", 1e3), ("nM", 1.0), ("pM", 1e-3)):
        if nM >= f:
            return f"{nM / f:g}{unit}"
    return f"{nM * 1e3:g}pM"
