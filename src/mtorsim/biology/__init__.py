"""Cell lines and genotypes; drugs; media and treatments — data applied to the network."""

from ._cells import CellLine, cell_names, cells_table, define_cell, get_cell
from ._conditions import MEDIA, Dose, Medium, Treatment
from ._drugs import Drug, Target, drug_names, drugs_table, get_drug
from ._genotype import Effect, alteration_effects

__all__ = ["MEDIA", "CellLine", "Dose", "Drug", "Effect", "Medium", "Target", "Treatment", "alteration_effects",
           "cell_names", "cells_table", "define_cell", "drug_names", "drugs_table", "get_cell", "get_drug"]
