"""Dose-response, GR metrics and drug-combination synergy on any tidy table.

Model-independent: feed measured or simulated screens. Concentrations are nM inside; units
enter through column-name suffixes (``dose_a_uM``) or explicit ``conc_unit``/``dose_unit``
arguments.
"""

from ._gr import GRFit as GRFit
from ._gr import compute_gr as compute_gr
from ._gr import gr50_from_params as gr50_from_params
from ._gr import gr_aoc as gr_aoc
from ._gr import gr_curve as gr_curve
from ._gr import gr_max as gr_max
from ._gr import gr_values as gr_values
from ._hill import FitConvergenceError as FitConvergenceError
from ._hill import FitConvergenceWarning as FitConvergenceWarning
from ._hill import HillFit as HillFit
from ._hill import hill_curve as hill_curve
from ._hill import inverse_hill as inverse_hill
from ._plots import plot_dose_response as plot_dose_response
from ._plots import plot_gr_curve as plot_gr_curve
from ._plots import plot_isobologram as plot_isobologram
from ._plots import plot_response_surface as plot_response_surface
from ._plots import plot_synergy as plot_synergy
from ._synergy import SYNERGY_METHODS as SYNERGY_METHODS
from ._synergy import SynergyResult as SynergyResult
from ._synergy import isobole as isobole
from ._synergy import synergy as synergy
from ._tables import dose_grid as dose_grid
from ._tables import grid_to_table as grid_to_table
from ._tables import read_lincs_grmetrics as read_lincs_grmetrics

__all__ = [
    "GRFit",
    "HillFit",
    "FitConvergenceError",
    "FitConvergenceWarning",
    "SYNERGY_METHODS",
    "SynergyResult",
    "compute_gr",
    "dose_grid",
    "gr50_from_params",
    "gr_aoc",
    "gr_curve",
    "gr_max",
    "gr_values",
    "grid_to_table",
    "hill_curve",
    "inverse_hill",
    "isobole",
    "plot_dose_response",
    "plot_gr_curve",
    "plot_isobologram",
    "plot_response_surface",
    "plot_synergy",
    "read_lincs_grmetrics",
    "synergy",
]

from ._screen import CombinationResult as CombinationResult
from ._screen import DoseResponseResult as DoseResponseResult
from ._screen import combination as combination
from ._screen import dose_response as dose_response
from ._screen import parse_dose_range as parse_dose_range

__all__ += ["CombinationResult", "DoseResponseResult", "combination", "dose_response", "parse_dose_range"]
