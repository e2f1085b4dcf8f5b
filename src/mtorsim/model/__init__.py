"""The network model: species, reactions, parameters (units, sources), SBML/Antimony export."""

from ._export import SBMLCheck, check_sbml, network_sbml, to_antimony, to_sbml, write_sbml
from ._inputs import CONDITIONS, DRUG_SLOTS
from ._network import Network, Observable, Parameter, Reaction, Rule, Species
from ._pathway import build_network

__all__ = ["CONDITIONS", "DRUG_SLOTS", "Network", "Observable", "Parameter", "Reaction", "Rule", "SBMLCheck", "Species",
           "build_network", "check_sbml", "network_sbml", "to_antimony", "to_sbml", "write_sbml"]
