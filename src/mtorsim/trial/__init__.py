"""Virtual patients, tumours and clinical trials (issue 6 §2-§5). See ``docs/trials.md``.

Layers: :mod:`._spec` (the YAML schema), :mod:`._patients` (virtual patients), :mod:`._surface`
(exposure-response surfaces from the network and the fate layer), :mod:`._tumour` (clones, lesions,
RECIST), :mod:`._run` (PK, adverse events, the runner, checkpoints), :mod:`._stats` (lifelines),
:mod:`._validate` (simulated vs published).
"""

from ._patients import Population, parameter_table, sample_patients
from ._run import TrialResult, run_trial
from ._spec import SpecError, TrialSpec, builtin_trials, load_spec, parse_spec
from ._stats import exposure_response
from ._surface import PatientClass, interpolation_error, response_surface
from ._validate import compare, validate_trials

__all__ = ["PatientClass", "Population", "SpecError", "TrialResult", "TrialSpec", "builtin_trials", "compare", "exposure_response", "interpolation_error",
           "load_spec", "parameter_table", "parse_spec", "response_surface", "run_trial", "sample_patients", "validate_trials"]
