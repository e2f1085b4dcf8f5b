"""The model scored against published facts and measurements."""

from ._nelander import NELANDER_DRUGS, READOUTS, agreement_summary, load_nelander, nelander_agreement

__all__ = ["NELANDER_DRUGS", "READOUTS", "agreement_summary", "load_nelander", "nelander_agreement"]
