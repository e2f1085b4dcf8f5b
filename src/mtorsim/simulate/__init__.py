"""Simulation engines behind one ``simulate()``."""

from ._engine import Engine, SolverOptions, get_engine, parameter_set_id
from ._simulate import simulate

__all__ = ["Engine", "SolverOptions", "get_engine", "parameter_set_id", "simulate"]
