"""Dosing regimens as data: a parsed, validated description of *what is given when*, and the
dosing table (one row per administration) it expands into.

A regimen is never baked into a model (STYLE.md §3): the PK layer reads the dosing table, and
other layers (toxicity-driven holds and reductions) edit the regimen or the table.

Grammar of a regimen string (case-insensitive; ``;`` separates modifiers)::

    AMOUNT UNIT [ROUTE] SCHEDULE [CYCLE] [over DURATION] [; MODIFIER]...

    AMOUNT UNIT   10 mg | 2.5 mg | 80 mg/m2 | 4 mg/kg | 0.5 g
    ROUTE         oral | po | iv | im | sc            (default: the drug's PK route)
    SCHEDULE      daily | once daily | qd | twice daily | bid | three times daily | tid |
                  weekly | every N hours|days|weeks | q3w | once | single dose |
                  on days 1,15,29 [then every N days]
    CYCLE         3 weeks on 1 week off | 4 days on 3 days off | 21 days on 7 off |
                  on days 1-5 every 14 days | days 1-14 of a 21-day cycle | days 1-21 q28d
    over          over 30 min | over 3 h              (zero-order IV infusion)
    MODIFIER      hold days 8-14 | hold day 8 | 5 mg from day 15 | reduce to 5 mg from day 15 |
                  stop after day 56

Examples: ``"10 mg daily"``, ``"70 mg weekly"``, ``"500 mg im on days 1,15,29 then every 28 days"``,
``"400 mg twice daily 4 days on 3 days off"``, ``"80 mg/m2 iv weekly over 1 h"``,
``"10 mg daily; hold days 15-21; 5 mg from day 22"``, ``"4 mg/kg iv weekly over 90 min; 2 mg/kg from day 2"`` (a
trastuzumab loading dose, then weekly). Days are 1-based: day 1 starts at t = 0 h. Body-size doses (``mg/m2``,
``mg/kg``) become mg in :meth:`Regimen.dose_table` with the patient's body-surface area or weight.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from .._errors import InputError

ROUTES = {"oral": "oral", "po": "oral", "p.o.": "oral", "iv": "iv", "i.v.": "iv", "intravenous": "iv",
          "im": "im", "i.m.": "im", "intramuscular": "im", "sc": "sc", "s.c.": "sc", "subcutaneous": "sc"}
_NUM = r"\d+(?:\.\d+)?"
_UNIT_H = {"h": 1.0, "hr": 1.0, "hrs": 1.0, "hour": 1.0, "hours": 1.0, "min": 1 / 60, "mins": 1 / 60, "minute": 1 / 60,
           "minutes": 1 / 60, "d": 24.0, "day": 24.0, "days": 24.0, "w": 168.0, "wk": 168.0, "week": 168.0, "weeks": 168.0}
_EXAMPLES = ('"10 mg daily", "50 mg weekly", "400 mg twice daily 4 days on 3 days off", '
             '"500 mg on days 1,15,29 then every 28 days", "80 mg/m2 iv weekly over 1 h"')
#: body size used when none is given (pk_profile, exposure_metrics, the pk command): assumed typical adult values; a
#: virtual patient brings its own (trial._patients.body_size)
DEFAULT_BSA_M2 = 1.7
DEFAULT_WEIGHT_KG = 70.0
#: units an amount may be written in (g and ug are converted to mg when parsed)
AMOUNT_UNITS = ("mg", "mg/m2", "mg/kg")
#: columns of a dosing table (one row per administration)
DOSE_COLUMNS = ("drug", "time_h", "day", "amount", "unit", "route", "duration_h")


def _dur(value: str, unit: str | None, field_: str, text: str) -> float:
    f = _UNIT_H.get((unit or "h").lower())
    if f is None:
        raise InputError(field_, text, "a duration with a unit: min, h, days or weeks")
    return float(value) * f


@dataclass(frozen=True)
class Regimen:
    """One drug's dosing rule.

    Everyday fields
    ---------------
    drug : drug name (as in the catalogue).
    amount : amount per administration, in ``unit``.
    unit : ``mg``, ``mg/m2`` (body-surface dosing; converted with the patient's BSA) or ``mg/kg`` (converted
        with the patient's weight).
    every_h : interval between administrations (h); ``None`` for the listed days only.
    days : explicit 1-based days of administration (loading schedules), given before ``every_h`` repeats.

    Expert fields
    -------------
    route : ``oral``, ``iv``, ``im``, ``sc``; ``None`` = the drug's PK route.
    cycle_on_days, cycle_off_days : on/off cycling of the repeating part (e.g. 21/7, 4/3).
    infusion_h : zero-order infusion duration (IV); 0 = bolus.
    holds : (first_day, last_day) inclusive ranges with no administration (interruptions).
    changes : (from_day, amount) dose changes (reductions or re-escalations), in ``unit``.
    stop_day : last day of treatment (inclusive); ``None`` = continuous.
    text : the string it was parsed from (for labels).
    """

    drug: str
    amount: float
    unit: str = "mg"
    every_h: float | None = 24.0
    days: tuple[int, ...] = ()
    route: str | None = None
    cycle_on_days: float | None = None
    cycle_off_days: float | None = None
    infusion_h: float = 0.0
    holds: tuple[tuple[int, int], ...] = ()
    changes: tuple[tuple[int, float], ...] = ()
    stop_day: int | None = None
    text: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        if not (isinstance(self.amount, (int, float)) and math.isfinite(self.amount) and self.amount > 0):
            raise InputError("regimen.amount", self.amount, "a positive amount per administration")
        if self.unit not in AMOUNT_UNITS:
            raise InputError("regimen.unit", self.unit, ", ".join(AMOUNT_UNITS))
        if self.every_h is not None and not (math.isfinite(self.every_h) and self.every_h > 0):
            raise InputError("regimen.every_h", self.every_h, "a positive interval in hours, or None")
        if self.every_h is None and not self.days:
            raise InputError("regimen.schedule", self.text or self, "a repeat interval or a list of days")
        if any((not isinstance(d, (int, np.integer))) or d < 1 for d in self.days) or list(self.days) != sorted(set(self.days)):
            raise InputError("regimen.days", self.days, "increasing, distinct day numbers >= 1 (day 1 starts at t = 0)")
        if self.route is not None and self.route not in ("oral", "iv", "im", "sc"):
            raise InputError("regimen.route", self.route, "oral, iv, im or sc")
        if (self.cycle_on_days is None) != (self.cycle_off_days is None):
            raise InputError("regimen.cycle", (self.cycle_on_days, self.cycle_off_days), "both on and off days, e.g. 21 days on 7 off")
        if self.cycle_on_days is not None and not (self.cycle_on_days > 0 and self.cycle_off_days >= 0):
            raise InputError("regimen.cycle", (self.cycle_on_days, self.cycle_off_days), "positive on-days and non-negative off-days")
        if not (math.isfinite(self.infusion_h) and self.infusion_h >= 0):
            raise InputError("regimen.infusion_h", self.infusion_h, "a non-negative infusion duration in hours")
        if self.every_h is not None and self.infusion_h >= self.every_h:
            raise InputError("regimen.infusion_h", self.infusion_h, f"shorter than the dosing interval ({self.every_h:g} h)")
        for a, b in self.holds:
            if not (1 <= a <= b):
                raise InputError("regimen.hold", (a, b), "a day range first-last with 1 <= first <= last")
        for d, amt in self.changes:
            if not (d >= 1 and amt >= 0 and math.isfinite(amt)):
                raise InputError("regimen.change", (d, amt), "a day >= 1 and a non-negative amount")
        if self.stop_day is not None and self.stop_day < 1:
            raise InputError("regimen.stop_day", self.stop_day, "a day >= 1")

    # -- building ---------------------------------------------------------------------------------
    @classmethod
    def parse(cls, text: str, drug: str = "") -> "Regimen":
        """Parse a regimen string (grammar in the module docstring); errors name the failing part."""
        if isinstance(text, Regimen):
            return text if not drug or text.drug == drug else replace(text, drug=drug)
        if not isinstance(text, str) or not text.strip():
            raise InputError("regimen", text, f"a regimen string such as {_EXAMPLES}")
        parts = [p.strip() for p in text.split(";")]
        main, mods = parts[0].lower(), parts[1:]
        m = re.match(rf"\s*({_NUM})\s*(mg/m2|mg/m²|mg/kg|mg|g|ug|µg|mcg)(?![\w/])\s*", main)
        if not m:
            raise InputError("regimen.amount", text, f"an amount with a unit (mg, g, ug, mg/m2 or mg/kg) first, e.g. {_EXAMPLES}")
        amount, unit = float(m.group(1)), m.group(2).replace("²", "2")
        if unit == "g":
            amount, unit = amount * 1000.0, "mg"
        elif unit in ("ug", "µg", "mcg"):
            amount, unit = amount / 1000.0, "mg"
        rest = main[m.end():]
        route = None
        rm = re.match(r"\s*(oral|po|p\.o\.|iv|i\.v\.|intravenous|im|i\.m\.|intramuscular|sc|s\.c\.|subcutaneous)\b\s*", rest)
        if rm:
            route = ROUTES[rm.group(1)]
            rest = rest[rm.end():]
        infusion_h = 0.0
        im_ = re.search(rf"\bover\s+({_NUM})\s*([a-z]+)\b", rest)
        if im_:
            infusion_h = _dur(im_.group(1), im_.group(2), "regimen.infusion", text)
            rest = (rest[:im_.start()] + rest[im_.end():]).strip()
        on, off = None, None
        cm = re.search(rf"[,(]?\s*({_NUM})\s*(d|days?|w|wks?|weeks?)?\s*on\s*[,/]?\s*({_NUM})\s*(d|days?|w|wks?|weeks?)?\s*off\s*\)?", rest)
        if cm:
            u_on = _UNIT_H[(cm.group(2) or cm.group(4) or "days").lower()] / 24.0
            u_off = _UNIT_H[(cm.group(4) or cm.group(2) or "days").lower()] / 24.0
            on, off = float(cm.group(1)) * u_on, float(cm.group(3)) * u_off
            rest = (rest[:cm.start()] + rest[cm.end():]).strip()
        # "on days 1-5 every 14 days" / "days 1-14 of a 21-day cycle" / "days 1-21 q28d": the same on/off cycle
        dc = re.search(rf"(?:\bon\s+)?\bdays?\s+(\d+)\s*(?:-|to|–)\s*(\d+)\s*(?:(?:of\s+)?(?:each|every|an?)\s+({_NUM})[-\s]*days?\s+cycles?"
                       rf"|every\s+({_NUM})\s*days?|q(\d+)d)\b", rest)
        if dc and on is None:
            a, b = int(dc.group(1)), int(dc.group(2))
            length = float(dc.group(3) or dc.group(4) or dc.group(5))
            if a != 1 or not (a <= b < length):
                raise InputError("regimen.cycle", text, "dosing days starting on day 1 and ending before the cycle does, "
                                                          "e.g. 'on days 1-5 every 14 days' or 'days 1-14 of a 21-day cycle'")
            on, off = float(b), length - b
            rest = (rest[:dc.start()] + rest[dc.end():]).strip()
        rest = rest.strip(" ,")
        every_h, days = cls._schedule(rest, text)
        stop_day, holds, changes = None, [], []
        for mod in mods:
            ml = mod.lower().strip()
            if not ml:
                continue
            hm = re.fullmatch(r"(?:hold|interrupt|pause)\s+days?\s+(\d+)\s*(?:-|to|–)\s*(\d+)", ml) or \
                re.fullmatch(r"(?:hold|interrupt|pause)\s+days?\s+(\d+)()", ml)
            if hm:
                a = int(hm.group(1))
                b = int(hm.group(2)) if hm.group(2) else a
                holds.append((a, b))
                continue
            dm = re.fullmatch(rf"(?:reduce\s+to\s+|increase\s+to\s+|then\s+)?({_NUM})\s*(mg/m2|mg/kg|mg)\s+from\s+day\s+(\d+)", ml)
            if dm:
                if dm.group(2) != unit:
                    raise InputError("regimen.change", mod, f"an amount in the regimen's unit ({unit})")
                changes.append((int(dm.group(3)), float(dm.group(1))))
                continue
            sm = re.fullmatch(r"(?:stop|end)\s+(?:after\s+)?day\s+(\d+)", ml) or re.fullmatch(r"for\s+(\d+)\s+days", ml)
            if sm:
                stop_day = int(sm.group(1))
                continue
            raise InputError("regimen.modifier", mod, "'hold days A-B', '5 mg from day N', or 'stop after day N'")
        return cls(drug=drug, amount=amount, unit=unit, every_h=every_h, days=days, route=route, cycle_on_days=on,
                   cycle_off_days=off, infusion_h=infusion_h, holds=tuple(holds), changes=tuple(sorted(changes)),
                   stop_day=stop_day, text=text.strip())

    @staticmethod
    def _schedule(s: str, text: str) -> tuple[float | None, tuple[int, ...]]:
        fixed = {"daily": 24.0, "once daily": 24.0, "once a day": 24.0, "qd": 24.0, "od": 24.0, "every day": 24.0,
                 "twice daily": 12.0, "bid": 12.0, "b.i.d.": 12.0, "twice a day": 12.0, "every 12 hours": 12.0,
                 "three times daily": 8.0, "tid": 8.0, "weekly": 168.0, "once weekly": 168.0, "qw": 168.0,
                 "every week": 168.0, "once a week": 168.0, "monthly": 672.0}
        if s in fixed:
            return fixed[s], ()
        if s in ("once", "single dose", "single", "one dose"):
            return None, (1,)
        m = re.fullmatch(rf"every\s+({_NUM})\s*([a-z]+)", s)
        if m:
            return _dur(m.group(1), m.group(2), "regimen.schedule", text), ()
        m = re.fullmatch(r"q(\d+)([dwh])", s)
        if m:
            return float(m.group(1)) * {"d": 24.0, "w": 168.0, "h": 1.0}[m.group(2)], ()
        m = re.fullmatch(rf"on\s+days?\s+([\d,\s]+?)(?:\s*(?:,\s*)?then\s+every\s+({_NUM})\s*([a-z]+))?", s)
        if m:
            try:
                days = tuple(int(x) for x in re.split(r"[,\s]+", m.group(1).strip()) if x)
            except ValueError:
                raise InputError("regimen.days", text, "comma-separated day numbers, e.g. on days 1,15,29") from None
            if not days or list(days) != sorted(set(days)) or days[0] < 1:
                raise InputError("regimen.days", text, "increasing, distinct day numbers >= 1, e.g. on days 1,15,29")
            every = _dur(m.group(2), m.group(3), "regimen.schedule", text) if m.group(2) else None
            return every, days
        raise InputError("regimen.schedule", text, f"daily, twice daily, weekly, every N days, on days A,B,C (then every N days); e.g. {_EXAMPLES}")

    def with_hold(self, first_day: int, last_day: int) -> "Regimen":
        """A copy with no administration on days ``first_day``..``last_day`` (inclusive)."""
        return replace(self, holds=self.holds + ((int(first_day), int(last_day)),))

    def with_dose(self, from_day: int, amount: float) -> "Regimen":
        """A copy whose amount changes to ``amount`` (same unit) from ``from_day`` on (a reduction or re-escalation)."""
        return replace(self, changes=tuple(sorted(self.changes + ((int(from_day), float(amount)),))))

    # -- expanding --------------------------------------------------------------------------------
    @property
    def period_h(self) -> float | None:
        """Length of one repeating unit at steady state (the dosing interval, or the on+off cycle)."""
        if self.every_h is None:
            return None
        if self.cycle_on_days is not None:
            return (self.cycle_on_days + self.cycle_off_days) * 24.0
        return self.every_h

    @property
    def label(self) -> str:
        return self.text or f"{self.amount:g} {self.unit} every {self.every_h:g} h"

    def _base_times(self, until_h: float) -> list[float]:
        times = [(d - 1) * 24.0 for d in self.days]
        if self.every_h is not None:
            start = times[-1] + self.every_h if times else 0.0
            n = int(math.floor((until_h - start) / self.every_h + 1e-9)) + 1 if until_h >= start else 0
            rep = start + self.every_h * np.arange(max(n, 0))
            if self.cycle_on_days is not None:
                period = (self.cycle_on_days + self.cycle_off_days) * 24.0
                phase = np.mod(rep - start, period)
                rep = rep[phase < self.cycle_on_days * 24.0 - 1e-9]
            times.extend(float(t) for t in rep)
        return [t for t in times if t <= until_h + 1e-9]

    def amount_on(self, day: int) -> float:
        amt = self.amount
        for d, a in self.changes:
            if day >= d:
                amt = a
        return amt

    def dose_table(self, until_h: float, *, bsa_m2: float = DEFAULT_BSA_M2, weight_kg: float = DEFAULT_WEIGHT_KG,
                   route: str | None = None) -> pd.DataFrame:
        """Administrations from t = 0 up to ``until_h`` (inclusive), one row each; columns :data:`DOSE_COLUMNS`.

        ``amount`` is in mg: ``mg/m2`` doses are multiplied by ``bsa_m2`` and ``mg/kg`` doses by ``weight_kg`` (the
        defaults, 1.7 m² and 70 kg, are assumed typical adult values; a virtual patient brings its own).
        ``route`` fills in the regimen's missing route.
        """
        if isinstance(bsa_m2, bool) or not (isinstance(bsa_m2, (int, float)) and 0.5 <= bsa_m2 <= 3.5):
            raise InputError("bsa_m2", bsa_m2, "a body-surface area between 0.5 and 3.5 m2")
        if isinstance(weight_kg, bool) or not (isinstance(weight_kg, (int, float)) and 20 <= weight_kg <= 300):
            raise InputError("weight_kg", weight_kg, "a body weight between 20 and 300 kg")
        per_unit = {"mg": 1.0, "mg/m2": float(bsa_m2), "mg/kg": float(weight_kg)}[self.unit]
        rows = []
        for t in self._base_times(until_h):
            day = int(t // 24.0) + 1
            if any(a <= day <= b for a, b in self.holds) or (self.stop_day is not None and day > self.stop_day):
                continue
            amt = self.amount_on(day) * per_unit
            if amt <= 0:
                continue
            rows.append((self.drug, t, day, amt, "mg", self.route or route or "oral", self.infusion_h))
        return pd.DataFrame(rows, columns=list(DOSE_COLUMNS))


def parse_regimen(text: str | Regimen, drug: str = "") -> Regimen:
    """Parse a regimen string (see :class:`Regimen` and the module docstring for the grammar)."""
    return Regimen.parse(text, drug=drug)


def dosing_table(regimens, until_h: float, *, bsa_m2: float = DEFAULT_BSA_M2, weight_kg: float = DEFAULT_WEIGHT_KG) -> pd.DataFrame:
    """One dosing table for several regimens (a combination), sorted by time."""
    frames = [r.dose_table(until_h, bsa_m2=bsa_m2, weight_kg=weight_kg) for r in regimens]
    if not frames:
        return pd.DataFrame(columns=list(DOSE_COLUMNS))
    return pd.concat(frames, ignore_index=True).sort_values(["time_h", "drug"], kind="stable").reset_index(drop=True)
