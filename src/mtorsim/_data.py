"""Where the shared data directory is (measurements, public models, conformance suites).

The data are never copied into the package. Set ``MTORSIM_DATA_DIR`` to point at them; by
default ``../shared/data`` beside the project root (or beside the current directory) is used
when present.
"""

from __future__ import annotations

import os
from pathlib import Path

ENV_VAR = "MTORSIM_DATA_DIR"


def data_dir(required: bool = False) -> Path | None:
    """Return the shared data directory, or None when it is absent (raise if ``required``)."""
    candidates = []
    if os.environ.get(ENV_VAR):
        candidates.append(Path(os.environ[ENV_VAR]))
    here = Path(__file__).resolve()
    candidates += [Path.cwd().parent / "shared" / "data", Path.cwd() / "shared" / "data"]
    candidates += [p / "shared" / "data" for p in here.parents[:5]]
    for c in candidates:
        if c.is_dir():
            return c
    if required:
        raise FileNotFoundError(
            f"shared data directory not found; set {ENV_VAR} to the folder holding "
            "phospho/, response/ and models/ (looked in: " + ", ".join(map(str, candidates)) + ")"
        )
    return None
