"""The explorer: a local web app over the API (``mtorsim serve``; Dash + plotly, no JavaScript build).

Pick a cell line or build a genotype, add drugs with doses and times, and see the signalling time
courses, the network coloured by activity and a dose-response curve — the numbers are the API's
for the same validated input. See ``docs/explorer.md``.
"""

from ._app import create_app as create_app
from ._app import serve as serve
from ._validate import Scenario as Scenario
from ._validate import parse_scenario as parse_scenario

__all__ = ["Scenario", "create_app", "parse_scenario", "serve"]
