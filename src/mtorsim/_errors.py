"""Exceptions raised by mtorsim. Each names the field, the value and what is allowed."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


class MtorsimError(Exception):
    """Base class of every error mtorsim raises on purpose."""


class InputError(MtorsimError, ValueError):
    """A user-supplied value is invalid. The message names the field, the value and what is allowed."""

    def __init__(self, field: str, value: object, allowed: str):
        self.field = field
        self.value = value
        self.allowed = allowed
        super().__init__(f"{field}: {value!r} is not allowed; {allowed}")


class UnknownNameError(InputError, KeyError):
    """A cell line, drug or observable name that is not in a catalogue."""

    def __init__(self, field: str, value: str, choices: Iterable[str]):
        choices = sorted(set(choices))
        close = difflib.get_close_matches(str(value), choices, n=5, cutoff=0.5)
        hint = f"did you mean {', '.join(close)}?" if close else f"known: {', '.join(choices[:30])}"
        super().__init__(field, value, f"unknown name; {hint}")
        self.close_matches = close

    def __str__(self) -> str:  # KeyError would quote the message otherwise
        return self.args[0]


class SimulationError(MtorsimError, RuntimeError):
    """The ODE solver failed. ``stage`` says where: 'pre-equilibration' or 'treatment'."""

    def __init__(self, stage: str, detail: str, *, context: dict | None = None):
        self.stage = stage
        self.detail = detail
        self.context = dict(context or {})
        ctx = ", ".join(f"{k}={v}" for k, v in self.context.items())
        super().__init__(f"simulation failed during {stage}: {detail}" + (f" ({ctx})" if ctx else ""))
