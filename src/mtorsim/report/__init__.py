"""Reports and figures: thin layers over the API."""

from ._network_diagram import network_edges as network_edges
from ._network_diagram import node_activity as node_activity
from ._network_diagram import plot_network as plot_network
from ._report import ReportResult as ReportResult
from ._report import ReportSpec as ReportSpec
from ._report import build_report as build_report

__all__ = ["ReportResult", "ReportSpec", "build_report", "network_edges", "node_activity", "plot_network"]
