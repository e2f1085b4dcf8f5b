"""Objectives, data tables and fitting: PEtab problems evaluated with libRoadRunner, linted, fitted
by multi-start optimisation and profiled; mtorsim's own model exported as a PEtab problem."""

from ._export import export_petab
from ._fit import (CalibrationResult, CalibrationSettings, CalibrationWarning, ParameterSet, calibrate,
                   load_parameter_set, save_parameter_set)
from ._lint import LintIssue, lint_petab
from ._objective import Objective
from ._petab import PetabEvaluator, PetabResult, evaluate_petab
from ._profile import ProfileResult, profile
from ._sample import Ensemble, SamplingSettings, plot_bands, predict_bands, sample

__all__ = ["CalibrationResult", "CalibrationSettings", "CalibrationWarning", "Ensemble", "LintIssue", "Objective",
           "ParameterSet", "PetabEvaluator", "PetabResult", "ProfileResult", "SamplingSettings", "calibrate",
           "evaluate_petab", "export_petab", "lint_petab", "load_parameter_set", "plot_bands", "predict_bands",
           "profile", "sample", "save_parameter_set"]
