"""Simulation engines behind one ``simulate()``, and ``simulate_many()`` for tables of conditions."""

from ._engine import Engine, SolverOptions, get_engine, parameter_set_id
from ._many import CONDITION_COLUMNS, failures, simulate_many
from ._sbml import IntegratorOptions, SbmlModel, SteadyStateOptions
from ._sbml_run import TimedChange, simulate_sbml
from ._simulate import simulate

__all__ = ["CONDITION_COLUMNS", "Engine", "IntegratorOptions", "SbmlModel", "SolverOptions", "SteadyStateOptions",
           "TimedChange", "failures", "get_engine", "parameter_set_id", "simulate", "simulate_many", "simulate_sbml"]
