"""Signalling → proliferation, G1 arrest and death; plate assays and phenotypes."""

from ._assay import assay, phenotypes
from ._fate import FATE_SOURCES, FateParameters, cell_numbers, cyclin_d1_independence, doubling_time_h, is_triple_negative, microtubule_effect, rates

__all__ = ["FATE_SOURCES", "FateParameters", "assay", "cell_numbers", "cyclin_d1_independence", "doubling_time_h", "is_triple_negative", "microtubule_effect", "phenotypes", "rates"]
