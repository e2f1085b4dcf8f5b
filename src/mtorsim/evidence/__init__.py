"""The model scored against published facts and measurements."""

from ._citation import citation
from ._nelander import NELANDER_DRUGS, READOUTS, agreement_summary, load_nelander, nelander_agreement

__all__ = ["citation", "NELANDER_DRUGS", "READOUTS", "agreement_summary", "load_nelander", "nelander_agreement"]
