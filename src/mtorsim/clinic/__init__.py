"""The clinic layer: pharmacokinetics, dosing regimens and exposure-driven signalling (issue 6 §1).

PK models and regimens are data (``pk:`` records in ``biology/data/drugs.yaml``; regimen strings);
nothing here changes the network. See ``docs/pk.md``.
"""

from ._exposure import exposure_segments as exposure_segments
from ._exposure import simulate_exposure as simulate_exposure
from ._pk import EstradiolSuppression as EstradiolSuppression
from ._pk import PKModel as PKModel
from ._pk import PKParameter as PKParameter
from ._pk import exposure_metrics as exposure_metrics
from ._pk import get_pk as get_pk
from ._pk import pk_drugs as pk_drugs
from ._pk import pk_population as pk_population
from ._pk import pk_profile as pk_profile
from ._pk import pk_table as pk_table
from ._regimen import Regimen as Regimen
from ._regimen import dosing_table as dosing_table
from ._regimen import parse_regimen as parse_regimen

__all__ = ["EstradiolSuppression", "PKModel", "PKParameter", "Regimen", "dosing_table", "exposure_metrics", "exposure_segments",
           "get_pk", "parse_regimen", "pk_drugs", "pk_population", "pk_profile", "pk_table", "simulate_exposure"]
