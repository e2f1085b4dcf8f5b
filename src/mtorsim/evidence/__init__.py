"""The model scored against published facts and measurements."""

from ._citation import citation
from ._scorecard import scorecard
from ._nelander import NELANDER_DRUGS, READOUTS, agreement_summary, load_nelander, nelander_agreement

__all__ = ["scorecard", "citation", "NELANDER_DRUGS", "READOUTS", "agreement_summary", "load_nelander", "nelander_agreement"]
