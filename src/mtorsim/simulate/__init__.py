"""Simulation engines behind one ``simulate()``, and ``simulate_many()`` for tables of conditions."""

from ._engine import Engine, SolverOptions, get_engine, parameter_set_id
from ._many import CONDITION_COLUMNS, failures, simulate_many
from ._simulate import simulate

__all__ = ["CONDITION_COLUMNS", "Engine", "SolverOptions", "failures", "get_engine", "parameter_set_id", "simulate",
           "simulate_many"]
