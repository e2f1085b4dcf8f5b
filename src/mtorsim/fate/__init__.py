"""Signalling → proliferation, G1 arrest and death; plate assays and phenotypes."""

from ._assay import assay, phenotypes
from ._fate import FATE_SOURCES, FateParameters, cell_numbers, doubling_time_h, rates

__all__ = ["FATE_SOURCES", "FateParameters", "assay", "cell_numbers", "doubling_time_h", "phenotypes", "rates"]
