"""mtorsim: the PI3K/Akt/mTOR signalling system of breast cancer, computable.

A mechanistic network model (``mtorsim.model``) with cell lines, genotypes and drugs as data
(``mtorsim.biology``), simulated by libRoadRunner (``mtorsim.simulate``).
"""

from importlib.metadata import PackageNotFoundError, version

from . import store as runs
from ._errors import InputError, MtorsimError, SimulationError, UnknownNameError
from .biology import (CellLine, Dose, Drug, Medium, Treatment, cells_table, define_cell, drugs_table, get_cell,
                      get_drug)
from .evidence import citation
from .model import build_network, to_antimony, to_sbml, write_sbml
from .response import combination, dose_response
from .simulate import SolverOptions, failures, simulate, simulate_many, simulate_sbml

try:
    __version__ = version("mtorsim")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0+unknown"

__all__ = ["runs", "CellLine", "Dose", "Drug", "InputError", "Medium", "MtorsimError", "SimulationError", "SolverOptions",
           "Treatment", "UnknownNameError", "__version__", "build_network", "cells_table", "citation", "combination", "define_cell",
           "dose_response", "drugs_table", "failures", "get_cell", "get_drug", "simulate", "simulate_many", "simulate_sbml", "to_antimony",
           "to_sbml", "write_sbml"]
