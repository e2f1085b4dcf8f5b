"""Objectives, data tables and fitting: PEtab problems evaluated with libRoadRunner."""

from ._petab import PetabEvaluator, PetabResult, evaluate_petab

__all__ = ["PetabEvaluator", "PetabResult", "evaluate_petab"]
