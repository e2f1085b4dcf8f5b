"""Small motif functions that add recurring biochemical patterns to a :class:`Network`.

Each motif writes its reactions with readable names, so the pathway file reads like the
biology (STYLE.md §3; cf. ``pysb/macros.py``). Activities are fractions (0..1) of a total;
expressed proteins are amounts relative to a reference level.
"""

from __future__ import annotations

from ._network import Network


def switch(net: Network, name: str, *, drive: str, k_off: str, description: str, initial: float = 0.1) -> str:
    """A reversible activation (phosphorylation, GTP loading, nuclear entry) of a fraction.

    ``d name/dt = drive * (1 - name) - k_off * name``: ``drive`` is the first-order activation
    rate (1/h, an expression of upstream activities), ``k_off`` the inactivation rate (1/h).
    """
    net.spec(name, initial, "1", description, kind="fraction")
    net.rxn(f"{name}_on", (), (name,), f"({drive}) * (1 - {name})", f"activation of {name}")
    net.rxn(f"{name}_off", (name,), (), f"({k_off}) * {name}", f"inactivation of {name}")
    return name


def expressed(net: Network, name: str, *, synthesis: str, k_deg: str, description: str,
              degradation_factor: str = "1", initial: float = 1.0) -> str:
    """A protein made at rate ``synthesis`` (relative amount/h) and degraded first-order.

    ``d name/dt = synthesis - k_deg * degradation_factor * name``.
    """
    net.spec(name, initial, "relative amount", description)
    net.rxn(f"{name}_synthesis", (), (name,), synthesis, f"synthesis of {name}")
    net.rxn(f"{name}_degradation", (name,), (), f"({k_deg}) * ({degradation_factor}) * {name}", f"degradation of {name}")
    return name


def relaxation(net: Network, name: str, *, target: str, rate: str, description: str) -> str:
    """A slow state that follows ``target`` with first-order ``rate`` (1/h): adaptation, sequestration."""
    net.spec(name, 0.0, "1", description, kind="fraction")
    net.rxn(f"{name}_rise", (), (name,), f"{rate} * ({target})", f"rise of {name}")
    net.rxn(f"{name}_decay", (name,), (), f"{rate} * {name}", f"decay of {name}")
    return name


def drug_effect(net: Network, slot: str, description: str) -> str:
    """Fractional effect of the drugs acting through ``slot``: ``f = u^h / (1 + u^h)``.

    ``u_<slot>`` (dimensionless) is the summed normalised exposure ``sum C_i / IC50_i`` that the
    drug layer sets; ``h_<slot>`` is the Hill coefficient. Returns the rule name ``f_<slot>``.
    """
    net.par(f"u_{slot}", 0.0, "1", "set by the drug catalogue: sum of C/IC50 over drugs in this slot", f"normalised exposure, {description}")
    net.par(f"h_{slot}", 1.0, "1", "set by the drug catalogue (default 1: simple occupancy)", f"Hill coefficient, {description}")
    return net.rule(f"f_{slot}", f"pow(u_{slot}, h_{slot}) / (1 + pow(u_{slot}, h_{slot}))", "1", f"fractional effect: {description}")
