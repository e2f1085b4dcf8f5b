"""The clinic layer: pharmacokinetics, dosing regimens, exposure-driven signalling (issue 6 §1) and
exposure-driven adverse events with the dose modifications they trigger (§2).

PK models and regimens are data (``pk:`` records in ``biology/data/drugs.yaml``; regimen strings);
adverse-event models are data (``clinic/data/toxicity.yaml``); nothing here changes the network.
See ``docs/pk.md`` and ``docs/toxicity.md``.
"""

from ._exposure import exposure_segments as exposure_segments
from ._exposure import simulate_exposure as simulate_exposure
from ._pk import EstradiolSuppression as EstradiolSuppression
from ._pk import Metabolite as Metabolite
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
from ._toxicity import ToxicityResult as ToxicityResult
from ._toxicity import dose_levels_mg as dose_levels_mg
from ._toxicity import simulate_toxicity as simulate_toxicity
from ._toxicity import toxicity_drugs as toxicity_drugs
from ._toxicity import toxicity_exposure as toxicity_exposure
from ._toxicity import toxicity_table as toxicity_table

__all__ = ["EstradiolSuppression", "Metabolite", "PKModel", "PKParameter", "Regimen", "dosing_table", "exposure_metrics", "exposure_segments",
           "get_pk", "parse_regimen", "pk_drugs", "pk_population", "pk_profile", "pk_table", "simulate_exposure",
           "ToxicityResult", "dose_levels_mg", "simulate_toxicity", "toxicity_drugs", "toxicity_exposure", "toxicity_table"]
