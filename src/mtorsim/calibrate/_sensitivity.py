"""Forward sensitivities for PEtab gradients: the model's sensitivity equations compiled by libRoadRunner.

libRoadRunner 2.10's own ``ForwardSensitivitySolver`` (``RoadRunner.timeSeriesSensitivities``) is not
used: on Fujita 2010 it stops with ``CV_TOO_MUCH_WORK`` for several parameters at the evaluator's
tolerances (its absolute tolerance also applies to sensitivities of size 1e4), takes up to 0.7 s per
parameter, cannot start from non-zero initial sensitivities (needed after pre-equilibration) and
returns rows in model order (docs/calibration.md). Instead the SBML model is *augmented* with its
forward sensitivity equations, derived symbolically (SymPy) from the SBML math, and the augmented
model is compiled and integrated by libRoadRunner (CVODE, LLVM JIT) like any other model:

``dS_k/dt = ∂f/∂x · S_k + Σ_j w_jk ∂f/∂p_j``,  ``S_k(0) = ∂x(0)/∂θ_k``

* ``x`` are the state variables (floating species, in concentration unless ``hasOnlySubstanceUnits``,
  and rate-rule targets); ``f`` their right-hand sides with assignment rules substituted.
* ``θ_k`` are the *estimated* PEtab parameters; ``p_j`` the model parameters whose value may come from
  some ``θ_k`` (the parameter itself, or a condition-table column whose cell names ``θ_k``);
  ``w_jk ∈ {0, 1}`` are constants set per condition (1 when ``p_j`` takes ``θ_k``'s value there).
  The model integrates the scaled sensitivities ``θ_k S_k`` (``w_jk = θ_k``): they have the magnitude
  of the states, so CVODE's error control treats them alike whatever the magnitude of ``θ_k`` (without
  it, starts at ``θ = 1e-8`` made CVODE take its maximum number of steps).
* ``S_k(0)``: central differences of the *initialisation* only (initial assignments and condition
  overrides of species; no integration, exact for the linear assignments of most models).
* pre-equilibration: the augmented model is integrated to its steady state together with its
  sensitivities (``dS/dt → 0``, the simulation-based variant of the steady-state sensitivity
  ``∂x*/∂θ = −J_x⁻¹ J_θ``, which also holds with conservation laws where ``J_x`` is singular); then
  the simulation condition is applied: species it sets get the sensitivity of the set value (1 for a
  cell that names ``θ_k``, else 0), the others keep the steady-state sensitivities.
* quantities defined by assignment rules that observables read get assignment-rule sensitivities.

Common subexpressions are shared through auxiliary assignment rules (``sympy.cse``). The symbolic
work (right-hand sides, Jacobian) is done once per model; :class:`~mtorsim.calibrate.Objective` splits
the parameters into chunks with one augmented model each (``only=``), because libRoadRunner's dense
Jacobian makes one large augmented system slower than several small ones. Models with
events, algebraic rules, variable stoichiometry or non-constant compartments raise
:class:`UnsupportedModel` and the caller falls back to finite differences.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import sympy as sp
from sympy.printing.str import StrPrinter

__all__ = ["SensitivityModel", "UnsupportedModel", "build_sensitivity_model"]

TIME = sp.Symbol("__time__", real=True)


class UnsupportedModel(Exception):
    """The model uses SBML features the sensitivity equations do not cover."""


# -- SBML math -> SymPy --------------------------------------------------------------------------------

def _sym(name: str) -> sp.Symbol:
    return sp.Symbol(name, real=True)


class _AstConverter:
    def __init__(self, functions: Mapping[str, tuple[list[str], object]]):
        self.functions = functions  # id -> (argument names, body ASTNode)

    def __call__(self, node, local: Mapping[str, sp.Expr] | None = None) -> sp.Expr:
        import libsbml as L

        local = local or {}
        t = node.getType()
        kids = [node.getChild(i) for i in range(node.getNumChildren())]
        c = lambda n: self(n, local)  # noqa: E731
        if t == L.AST_NAME:
            name = node.getName()
            return local.get(name, _sym(name))
        if t == L.AST_NAME_TIME:
            return TIME
        if t == L.AST_INTEGER:
            return sp.Integer(node.getInteger())
        if t in (L.AST_REAL, L.AST_REAL_E, L.AST_RATIONAL):
            return sp.Float(node.getReal())
        if t == L.AST_CONSTANT_E:
            return sp.E
        if t == L.AST_CONSTANT_PI:
            return sp.pi
        if t == L.AST_CONSTANT_TRUE:
            return sp.true
        if t == L.AST_CONSTANT_FALSE:
            return sp.false
        if t == L.AST_PLUS:
            return sp.Add(*[c(k) for k in kids]) if kids else sp.Integer(0)
        if t == L.AST_TIMES:
            return sp.Mul(*[c(k) for k in kids]) if kids else sp.Integer(1)
        if t == L.AST_MINUS:
            return -c(kids[0]) if len(kids) == 1 else c(kids[0]) - c(kids[1])
        if t == L.AST_DIVIDE:
            return c(kids[0]) / c(kids[1])
        if t in (L.AST_POWER, L.AST_FUNCTION_POWER):
            return c(kids[0]) ** c(kids[1])
        if t == L.AST_FUNCTION_ROOT:
            return c(kids[1]) ** (1 / c(kids[0])) if len(kids) == 2 else sp.sqrt(c(kids[0]))
        simple = {L.AST_FUNCTION_EXP: sp.exp, L.AST_FUNCTION_LN: sp.log, L.AST_FUNCTION_ABS: sp.Abs,
                  L.AST_FUNCTION_SIN: sp.sin, L.AST_FUNCTION_COS: sp.cos, L.AST_FUNCTION_TAN: sp.tan,
                  L.AST_FUNCTION_TANH: sp.tanh, L.AST_FUNCTION_FLOOR: sp.floor, L.AST_FUNCTION_CEILING: sp.ceiling}
        if t in simple:
            return simple[t](c(kids[0]))
        if t == L.AST_FUNCTION_LOG:
            return sp.log(c(kids[1])) / sp.log(c(kids[0])) if len(kids) == 2 else sp.log(c(kids[0]), 10)
        if t == L.AST_FUNCTION_MAX:
            return sp.Max(*[c(k) for k in kids])
        if t == L.AST_FUNCTION_MIN:
            return sp.Min(*[c(k) for k in kids])
        rel = {L.AST_RELATIONAL_LT: sp.Lt, L.AST_RELATIONAL_LEQ: sp.Le, L.AST_RELATIONAL_GT: sp.Gt,
               L.AST_RELATIONAL_GEQ: sp.Ge, L.AST_RELATIONAL_EQ: sp.Eq, L.AST_RELATIONAL_NEQ: sp.Ne}
        if t in rel:
            return rel[t](c(kids[0]), c(kids[1]))
        if t == L.AST_LOGICAL_AND:
            return sp.And(*[c(k) for k in kids])
        if t == L.AST_LOGICAL_OR:
            return sp.Or(*[c(k) for k in kids])
        if t == L.AST_LOGICAL_NOT:
            return sp.Not(c(kids[0]))
        if t == L.AST_FUNCTION_PIECEWISE:
            pieces = []
            for i in range(0, len(kids) - 1, 2):
                pieces.append((c(kids[i]), c(kids[i + 1])))
            if len(kids) % 2:
                pieces.append((c(kids[-1]), True))
            return sp.Piecewise(*pieces)
        if t == L.AST_FUNCTION:
            name = node.getName()
            if name not in self.functions:
                raise UnsupportedModel(f"function {name!r}")
            args, body = self.functions[name]
            return self(body, {a: c(k) for a, k in zip(args, kids)})
        raise UnsupportedModel(f"MathML element {node.getName() or t} in {L.formulaToL3String(node)}")


class _L3Printer(StrPrinter):
    """SymPy expressions as SBML Level 3 infix formulas (``libsbml.parseL3Formula``)."""

    def _print_Symbol(self, expr):
        return "time" if expr == TIME else expr.name

    def _print_Pow(self, expr, rational=False):
        return f"pow({self._print(expr.base)}, {self._print(expr.exp)})"

    def _print_Rational(self, expr):
        return repr(float(expr))

    _print_Half = _print_Rational

    def _print_Float(self, expr):
        return repr(float(expr))

    def _print_Integer(self, expr):
        return str(int(expr))

    def _print_log(self, expr):
        return f"ln({self._print(expr.args[0])})"

    def _print_Exp1(self, expr):
        return "exponentiale"

    def _print_Pi(self, expr):
        return "pi"

    def _print_Abs(self, expr):
        return f"abs({self._print(expr.args[0])})"

    def _print_Max(self, expr):
        return "max(" + ", ".join(self._print(a) for a in expr.args) + ")"

    def _print_Min(self, expr):
        return "min(" + ", ".join(self._print(a) for a in expr.args) + ")"

    def _print_Heaviside(self, expr):
        return f"piecewise(1, ({self._print(expr.args[0])}) > 0, 0)"

    def _print_sign(self, expr):
        a = self._print(expr.args[0])
        return f"piecewise(1, ({a}) > 0, -1, ({a}) < 0, 0)"

    def _print_Piecewise(self, expr):
        parts = []
        for val, cond in expr.args:
            if cond == sp.true:
                parts.append(self._print(val))
                break
            parts += [self._print(val), self._print(cond)]
        else:
            parts.append("0")
        return "piecewise(" + ", ".join(parts) + ")"

    def _print_Relational(self, expr):
        op = {"==": "==", "!=": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">="}[expr.rel_op]
        return f"({self._print(expr.lhs)} {op} {self._print(expr.rhs)})"

    def _print_And(self, expr):
        return "(" + " && ".join(self._print(a) for a in expr.args) + ")"

    def _print_Or(self, expr):
        return "(" + " || ".join(self._print(a) for a in expr.args) + ")"

    def _print_Not(self, expr):
        return f"!({self._print(expr.args[0])})"

    def _print_BooleanTrue(self, expr):
        return "true"

    def _print_BooleanFalse(self, expr):
        return "false"

    def _print_DiracDelta(self, expr):
        return "0"


_PRINTER = _L3Printer()


def _l3(expr: sp.Expr) -> str:
    return _PRINTER.doprint(expr)


def _ast_names(node) -> set[str]:
    """Every name (``AST_NAME``) in a MathML tree."""
    import libsbml

    out = {node.getName()} if node.getType() == libsbml.AST_NAME else set()
    for i in range(node.getNumChildren()):
        out |= _ast_names(node.getChild(i))
    return out


# -- the augmented model -------------------------------------------------------------------------------

@dataclass
class SensitivityModel:
    """The augmented SBML and the names of its sensitivity quantities.

    ``state_sens[(x, k)]`` names the sensitivity state of state ``x`` w.r.t. ``θ_k``;
    ``rule_sens[(a, k)]`` the assignment-rule sensitivity of ``a``; ``weights[(p, k)]`` the constant
    ``w`` set to 1 in conditions where model parameter ``p`` takes ``θ_k``'s value.
    """

    sbml: str
    theta: tuple[str, ...]
    states: tuple[str, ...]
    state_sens: dict[tuple[str, str], str]
    rule_sens: dict[tuple[str, str], str]
    weights: dict[tuple[str, str], str]
    initial_symbols: frozenset[str]


def _read_model(doc):
    m = doc.getModel()
    if m.getNumEvents():
        raise UnsupportedModel("events")
    for r in m.getListOfRules():
        if r.isAlgebraic():
            raise UnsupportedModel("algebraic rules")
    functions = {}
    for fd in m.getListOfFunctionDefinitions():
        lam = fd.getMath()
        n = lam.getNumChildren()
        functions[fd.getId()] = ([lam.getChild(i).getName() for i in range(n - 1)], lam.getChild(n - 1))
    conv = _AstConverter(functions)
    rate_rules = {r.getVariable(): conv(r.getMath()) for r in m.getListOfRules() if r.isRate()}
    assign = {r.getVariable(): conv(r.getMath()) for r in m.getListOfRules() if r.isAssignment()}
    comps = {c.getId(): c for c in m.getListOfCompartments()}
    for cid, comp in comps.items():
        if not comp.getConstant() or cid in rate_rules or cid in assign:
            raise UnsupportedModel(f"compartment {cid!r} that changes")
    species = {s.getId(): s for s in m.getListOfSpecies()}
    rhs: dict[str, sp.Expr] = {}
    for sid, s in species.items():
        if s.getBoundaryCondition() or s.getConstant() or sid in assign:
            continue
        rhs[sid] = rate_rules.pop(sid) if sid in rate_rules else sp.Integer(0)
    for r in m.getListOfReactions():
        kl = r.getKineticLaw()
        if kl is None or kl.getMath() is None:
            raise UnsupportedModel(f"reaction {r.getId()!r} without a kinetic law")
        local = {p.getId(): sp.Float(p.getValue()) for p in kl.getListOfLocalParameters()}
        local.update({p.getId(): sp.Float(p.getValue()) for p in kl.getListOfParameters()})
        v = conv(kl.getMath(), local)
        for sign, refs in ((-1, r.getListOfReactants()), (1, r.getListOfProducts())):
            for ref in refs:
                sid = ref.getSpecies()
                if sid not in rhs or any(sid == rr.getVariable() for rr in m.getListOfRules()):
                    continue
                if ref.isSetId() and (m.getInitialAssignment(ref.getId()) or m.getRule(ref.getId())):
                    raise UnsupportedModel(f"variable stoichiometry in reaction {r.getId()!r}")
                st = ref.getStoichiometry() if ref.isSetStoichiometry() else 1.0
                sp_ = species[sid]
                scale = sp.Integer(1) if sp_.getHasOnlySubstanceUnits() else 1 / _sym(sp_.getCompartment())
                rhs[sid] = rhs[sid] + sign * sp.Float(st) * v * scale
    for var, expr in rate_rules.items():
        rhs[var] = expr
    ia_symbols: set[str] = set()
    for ia in m.getListOfInitialAssignments():
        ia_symbols |= {s.name for s in conv(ia.getMath()).free_symbols}
    return rhs, assign, ia_symbols


def _resolve_rules(assign: dict[str, sp.Expr]) -> dict[str, sp.Expr]:
    """Assignment rules with every other assignment rule substituted (rules are acyclic in SBML)."""
    done: dict[str, sp.Expr] = {}
    symbols = {a: _sym(a) for a in assign}

    def resolve(a: str, stack: tuple[str, ...] = ()) -> sp.Expr:
        if a in done:
            return done[a]
        if a in stack:
            raise UnsupportedModel(f"cyclic assignment rules through {a!r}")
        e = assign[a]
        sub = {symbols[b]: resolve(b, stack + (a,)) for b in (s.name for s in e.free_symbols) if b in assign}
        done[a] = e.xreplace(sub) if sub else e
        return done[a]

    for a in assign:
        resolve(a)
    return done


@functools.lru_cache(maxsize=4)
def _symbolic(sbml: str) -> tuple:
    """States, right-hand sides (assignment rules substituted), resolved rules, the sparse state Jacobian
    and the symbols of initial assignments of an SBML model; computed once per model (cached), shared by
    the augmented models of all parameter chunks. Do not mutate the result."""
    import libsbml as L

    doc = L.readSBMLFromString(sbml)
    if doc.getModel() is None:
        raise UnsupportedModel("unreadable SBML")
    rhs, assign, ia_symbols = _read_model(doc)
    rules = _resolve_rules(assign)
    states = tuple(rhs)
    xs = [_sym(s) for s in states]
    sub = {_sym(a): e for a, e in rules.items()}
    f = [rhs[s].xreplace(sub) for s in states]
    jac = {}
    for i in range(len(states)):
        row = {}
        for j, x in enumerate(xs):
            if x in f[i].free_symbols:
                d = sp.diff(f[i], x)
                if d != 0:
                    row[j] = d
        jac[i] = row
    return states, f, rules, jac, frozenset(ia_symbols)


def build_sensitivity_model(sbml: str, theta: Sequence[str], candidates: Mapping[str, Sequence[str]],
                            rule_outputs: Sequence[str]) -> SensitivityModel:
    """Augment ``sbml`` with forward sensitivity equations.

    Parameters
    ----------
    theta : estimated parameter ids (columns of the sensitivities).
    candidates : for each ``θ_k``, the model parameters whose value may come from it.
    rule_outputs : assignment-rule variables whose sensitivities are needed (read by observables).
    """
    import libsbml as L

    states, f, rules, jac_cache, ia_symbols = _symbolic(sbml)
    doc = L.readSBMLFromString(sbml)  # a fresh document to augment
    xs = [_sym(s) for s in states]
    params = sorted({p for k in theta for p in candidates.get(k, ())})
    state_sens = {(s, k): f"sens__{s}__{k}" for s in states for k in theta}
    weights = {(p, k): f"sw__{p}__{k}" for k in theta for p in candidates.get(k, ())}
    exprs: list[sp.Expr] = []
    targets: list[tuple[str, str]] = []  # (kind, id)
    dfdp = {(i, p): sp.diff(f[i], _sym(p)) for i in range(len(states)) for p in params
            if _sym(p) in f[i].free_symbols}
    for k in theta:
        for i, s in enumerate(states):
            e = sp.Add(*[d * _sym(state_sens[(states[j], k)]) for j, d in jac_cache[i].items()])
            for p in candidates.get(k, ()):
                d = dfdp.get((i, p))
                if d is not None and d != 0:
                    e = e + _sym(weights[(p, k)]) * d
            exprs.append(e)
            targets.append(("rate", state_sens[(s, k)]))
    rule_sens: dict[tuple[str, str], str] = {}
    for a in rule_outputs:
        g = rules[a]
        dg = {j: sp.diff(g, x) for j, x in enumerate(xs) if x in g.free_symbols}
        for k in theta:
            e = sp.Add(*[d * _sym(state_sens[(states[j], k)]) for j, d in dg.items()])
            for p in candidates.get(k, ()):
                if _sym(p) in g.free_symbols:
                    e = e + _sym(weights[(p, k)]) * sp.diff(g, _sym(p))
            rule_sens[(a, k)] = f"sensrule__{a}__{k}"
            exprs.append(e)
            targets.append(("assign", rule_sens[(a, k)]))
    repl, reduced = sp.cse(exprs, symbols=sp.numbered_symbols("cse__", real=True))
    m = doc.getModel()

    def add_parameter(pid: str, value: float, constant: bool) -> None:
        p = m.createParameter()
        p.setId(pid)
        p.setValue(value)
        p.setConstant(constant)

    def mathml(expr: sp.Expr):
        text = _l3(expr)
        node = L.parseL3FormulaWithModel(text, m)
        if node is None:
            raise UnsupportedModel(f"formula not expressible in SBML: {text[:120]} ({L.getLastParseL3Error()})")
        return node

    for pid in weights.values():
        add_parameter(pid, 0.0, True)
    for sym, expr in repl:
        add_parameter(sym.name, 0.0, False)
        r = m.createAssignmentRule()
        r.setVariable(sym.name)
        r.setMath(mathml(expr))
    for (kind, pid), expr in zip(targets, reduced):
        add_parameter(pid, 0.0, False)
        r = m.createRateRule() if kind == "rate" else m.createAssignmentRule()
        r.setVariable(pid)
        r.setMath(mathml(expr))
    return SensitivityModel(sbml=L.writeSBMLToString(doc), theta=tuple(theta), states=states,
                            state_sens=state_sens, rule_sens=rule_sens, weights=weights,
                            initial_symbols=frozenset(ia_symbols))


# -- PEtab gradients -----------------------------------------------------------------------------------

def n_states(sbml: str) -> int:
    """Number of state variables of the model's sensitivity equations (floating species and rate-rule
    targets); raises :class:`UnsupportedModel` like :func:`build_sensitivity_model`."""
    return len(_symbolic(sbml)[0])


class SensitivityEvaluator:
    """Log-likelihood and its gradient w.r.t. the estimated parameters (linear scale) of a PEtab problem.

    Built from a :class:`~mtorsim.calibrate.PetabEvaluator` (its tables, conditions and observable
    formulas are reused; the augmented model is compiled once here). The chain rule runs through the
    observable and noise formulas (placeholders, parameter-table ids, condition columns), the
    observable transformation (lin, log, log10) and the noise model (normal, laplace); see
    :mod:`mtorsim.calibrate._petab` for the log-likelihood.

    Raises :class:`UnsupportedModel` when the problem needs what is not covered (the caller falls back
    to finite differences and says so).
    """

    def __init__(self, ev, theta: Sequence[str], *, fd_init_step: float = 1e-6, only: Sequence[str] | None = None):
        from ..simulate._sbml import SbmlModel

        self.ev = ev
        self.theta = tuple(theta)
        self.fd_init_step = fd_init_step
        m0 = ev.model
        cond = ev.problem.condition_df
        self._cells: dict[tuple[str, str], str] = {}
        for cid, row in cond.iterrows():
            for col in ev.condition_columns:
                v = row[col]
                if isinstance(v, str) and v.strip():
                    self._cells[(str(cid), col)] = v.strip()
        theta_set = set(self.theta)
        candidates: dict[str, list[str]] = {k: [] for k in self.theta}
        for k in self.theta:
            if m0.kinds.get(k) == "parameter" and k not in m0.assignment_rule_ids and k not in m0.rate_rule_ids:
                candidates[k].append(k)
            if m0.kinds.get(k) in ("species", "compartment"):
                raise UnsupportedModel(f"estimated parameter {k!r} is a model {m0.kinds[k]}")
        for (cid, col), v in self._cells.items():
            if v in theta_set:
                kind = ev.condition_columns[col]
                if kind == "parameter" and col not in m0.rate_rule_ids and col not in candidates[v]:
                    candidates[v].append(col)
                elif kind == "compartment":
                    raise UnsupportedModel(f"condition column {col!r} (a compartment) set to estimated {v!r}")
        self.candidates = candidates
        rule_outputs = [s for s in ev.selections if s in m0.assignment_rule_ids]
        # θ that can change the trajectory: a model parameter, a condition cell, or (through the
        # initial assignments) an initial state; the others (scalings, σ) enter the observables only
        import libsbml

        doc = libsbml.readSBMLFromString(m0.sbml_text)  # kept referenced: its model dies with it
        model = doc.getModel()
        ia_symbols = set()
        if model is not None:
            for ia in model.getListOfInitialAssignments():
                ia_symbols |= _ast_names(ia.getMath())
        cell_theta = {v for v in self._cells.values() if v in theta_set}
        self.dynamic_all = tuple(k for k in self.theta if candidates[k] or k in cell_theta or k in ia_symbols)
        # a chunk: sensitivities of these dynamic θ only (the gradient is then valid for them and for the
        # θ that enter the observables only)
        self.dynamic = tuple(k for k in self.dynamic_all if only is None or k in set(only))
        sm = build_sensitivity_model(m0.sbml_text, self.dynamic, candidates, rule_outputs)
        self.sm = sm
        self.model = SbmlModel(sm.sbml, integrator=m0.integrator_options, steady_state=m0.steady_state_options)
        self.model.source = f"{ev.source} (SBML + forward sensitivity equations)"
        self.n_states = len(sm.states)
        # which θ can change the initial state: symbols of initial assignments, and condition cells
        self._init_theta = {k for k in self.theta
                            if k in sm.initial_symbols or any(p in sm.initial_symbols for p in candidates[k])}
        self._derivs: dict[tuple[str, str], list] = {}
        self._preeq_cache: dict = {}
        self._sc = np.ones(len(self.theta))

    # -- per condition --------------------------------------------------------------------------------
    def _weights(self, cid: str) -> dict[str, float]:
        ev = self.ev
        out = {}
        for (p, k), name in self.sm.weights.items():
            if p in ev.condition_columns:
                cell = self._cells.get((cid, p))
                raw = ev.problem.condition_df.at[cid, p]
                if cell is not None:
                    out[name] = 1.0 if cell == k else 0.0
                    continue
                if not (raw is None or (isinstance(raw, float) and math.isnan(raw))):
                    out[name] = 0.0  # a number
                    continue
                out[name] = 0.0  # empty cell: the model's default value (see PetabEvaluator)
                continue
            out[name] = 1.0 if p == k else 0.0
        return out

    def _state_values(self) -> np.ndarray:
        return np.array([self.model.value(s) for s in self.sm.states], dtype=float)

    def _init(self, cid: str, values) -> None:
        ev = self.ev
        cond = ev._condition(cid, values)
        self.model.initialise(parameters=ev._model_parameters(cond, values), species=cond["species"],
                              compartments=cond["compartment"])

    def _initial_sensitivities(self, cid: str, values) -> np.ndarray:
        """∂x(0)/∂θ (n_states × n_theta) by central differences of the initialisation alone."""
        S = np.zeros((self.n_states, len(self.theta)))
        cells = {v for (c, _), v in self._cells.items() if c == cid}
        for j, k in enumerate(self.theta):
            if k not in self.dynamic or (k not in self._init_theta and k not in cells):
                continue
            v0 = float(values[k])
            h = self.fd_init_step * max(abs(v0), 1e-12)
            out = []
            for sgn in (1.0, -1.0):
                vv = values.copy()
                vv[k] = v0 + sgn * h
                self._init(cid, vv)
                out.append(self._state_values())
            S[:, j] = (out[0] - out[1]) / (2 * h)
        return S

    def _set_sensitivities(self, S: np.ndarray, rows: Sequence[int] | None = None) -> None:
        """Write ``∂x/∂θ`` (unscaled) into the model's (scaled) sensitivity states."""
        idx = range(self.n_states) if rows is None else rows
        upd = {self.sm.state_sens[(self.sm.states[i], k)]: float(S[i, j] * self._sc[j])
               for i in idx for j, k in enumerate(self.theta) if k in self.dynamic}
        self.model.update(parameters=upd)

    def _scaled_weights(self, cid: str) -> dict[str, float]:
        w = self._weights(cid)
        return {name: w[name] * self._sc[self.theta.index(k)] for (p, k), name in self.sm.weights.items()}

    def _simulate_pair(self, pre: str, sim: str, values, times: np.ndarray, steady: bool):
        from ._petab import preequilibrate

        ev, m, sm = self.ev, self.model, self.sm
        first = pre or sim
        cached = bool(pre) and pre in self._preeq_cache
        S0 = None if cached else self._initial_sensitivities(first, values)
        self._init(first, values)
        m.update(parameters=self._scaled_weights(first))
        if S0 is not None:
            self._set_sensitivities(S0)
        scond = ev._condition(sim, values)
        if pre:
            preequilibrate(m, pre, self._preeq_cache)
            sparams = ev._model_parameters(scond, values)
            m.update(parameters=sparams, species=scond["species"], compartments=scond["compartment"])
            m.update(parameters=self._scaled_weights(sim))
            # states the simulation condition sets: their sensitivity is that of the value set
            reset = {}
            for col in ev.condition_columns:
                if col in sm.states and not math.isnan(scond[ev.condition_columns[col]].get(col, math.nan)):
                    cell = self._cells.get((sim, col))
                    reset[sm.states.index(col)] = cell
            if reset:
                S = np.zeros((self.n_states, len(self.theta)))
                for i, cell in reset.items():
                    for j, k in enumerate(self.theta):
                        S[i, j] = 1.0 if cell == k else 0.0
                self._set_sensitivities(S, rows=list(reset))
        sel = list(ev.selections)
        w_sim = self._weights(sim)
        sens_names, const = [], {}
        for s in sel:
            for k in self.theta:
                if k not in self.dynamic:
                    const[(s, k)] = 0.0
                elif s in sm.states:
                    sens_names.append(sm.state_sens[(s, k)])
                elif (s, k) in sm.rule_sens:
                    sens_names.append(sm.rule_sens[(s, k)])
                else:
                    const[(s, k)] = w_sim.get(sm.weights.get((s, k), ""), 0.0)
        names = sel + sorted(set(sens_names))
        col = {n: i for i, n in enumerate(names)}
        grid = np.unique(np.concatenate([[0.0], times]))
        traj = m.integrate(grid, selections=names, stage="simulation") if names else np.zeros((len(grid), 0))
        out = [traj[np.searchsorted(grid, times)]]
        if steady:
            m.equilibrate(stage="steady-state measurement")
            out.append(np.array([[m.value(n) for n in names]]))

        def split(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            x = a[:, :len(sel)]
            S = np.zeros((len(a), len(sel), len(self.theta)))
            for i, s in enumerate(sel):
                for j, k in enumerate(self.theta):
                    if (s, k) in const:
                        S[:, i, j] = const[(s, k)]
                    else:
                        n = sm.state_sens[(s, k)] if s in sm.states else sm.rule_sens[(s, k)]
                        S[:, i, j] = a[:, col[n]] / self._sc[j]
            return x, S

        finite_ = split(out[0])
        at_steady = split(out[1]) if steady else None
        return finite_, at_steady, scond["other"]

    # -- the objective --------------------------------------------------------------------------------
    def _partials(self, oid: str, which: str):
        key = (oid, which)
        if key not in self._derivs:
            f = self.ev.observables[oid][which]
            syms = sorted(f.expr.free_symbols, key=lambda s: s.name)
            self._derivs[key] = [sp.lambdify(syms, sp.diff(f.expr, s), modules="numpy", dummify=True)
                                 for s in syms]
        return self._derivs[key]

    def _arg_sens(self, names, rows, S, placeholders_raw, other_cells, extra, cid):
        """∂(argument)/∂θ for each formula argument: (n_rows × n_theta) arrays."""
        ev = self.ev
        col = {s: i for i, s in enumerate(ev.selections)}
        n, nt = len(rows), len(self.theta)
        out = []
        for name in names:
            d = np.zeros((n, nt))
            if name in placeholders_raw:
                for r, raw in enumerate(placeholders_raw[name]):
                    if raw in self.theta:
                        d[r, self.theta.index(raw)] = 1.0
            elif name in extra:
                d = extra[name]
            elif name in col:
                d = S[:, col[name], :]
            elif name in ("time", "t"):
                pass
            elif name in other_cells:
                cell = self._cells.get((cid, name))
                if cell in self.theta:
                    d[:, self.theta.index(cell)] = 1.0
            elif name in self.theta:
                d[:, self.theta.index(name)] = 1.0
            out.append(d)
        return out

    def __call__(self, values) -> tuple[float, np.ndarray, float]:
        """``(llh, ∂llh/∂θ on the linear scale, χ²)`` at the linear-scale parameter Series ``values``;
        raises :class:`~mtorsim.SimulationError` when a condition fails."""
        from ._petab import _objective

        ev = self.ev
        self._preeq_cache: dict = {}
        # the model integrates θ_k·∂x/∂θ_k (weights w = θ_k instead of 1): sensitivities on the scale of
        # the states, so CVODE's error control treats them like the states whatever the magnitude of θ_k
        v = np.array([abs(float(values[k])) for k in self.theta])
        self._sc = np.where(np.isfinite(v) & (v > 0), v, 1.0)
        meas = ev.measurements
        pre_col, sim_col = meas["preequilibrationConditionId"].to_numpy(), meas["simulationConditionId"].to_numpy()
        time_col = meas["time"].to_numpy(dtype=float)
        nt = len(self.theta)
        nsel = len(ev.selections)
        llh_total, chi2_total, grad = 0.0, 0.0, np.zeros(nt)
        for pre, sim in ev.pairs:
            rows = np.flatnonzero((pre_col == pre) & (sim_col == sim))
            t = time_col[rows]
            fin = np.isfinite(t)
            grid = np.unique(t[fin])
            (xf, Sf), steady, other = self._simulate_pair(pre, sim, values, grid, steady=bool((~fin).any()))
            traj = np.empty((len(rows), nsel))
            S = np.empty((len(rows), nsel, nt))
            pos = np.searchsorted(grid, t[fin])
            traj[fin], S[fin] = xf[pos], Sf[pos]
            if steady is not None:
                traj[~fin], S[~fin] = steady[0], steady[1]
            obs_ids = meas["observableId"].to_numpy()[rows]
            for oid in dict.fromkeys(obs_ids):
                sub = np.flatnonzero(obs_ids == oid)
                r = rows[sub]
                o = ev.observables[oid]
                ph, ph_raw = {}, {}
                for kind, key in (("observableParameters", "obs_placeholders"), ("noiseParameters", "noise_placeholders")):
                    for j, name in enumerate(o[key]):
                        raws = [str(ev._overrides[kind][ri][j]).strip() for ri in r]
                        ph_raw[name] = raws
                        ph[name] = np.array([ev._resolve(ev._overrides[kind][ri][j], values,
                                                         f"measurement table row {ri + 2}, column {kind}") for ri in r])
                f = o["formula"]
                args = ev._symbol_values(f.args, r, traj[sub], t[sub], ph, other, values, {}, oid, "observableFormula")
                y = np.broadcast_to(np.asarray(f.func(*args), dtype=float), (len(r),)).astype(float)
                dargs = self._arg_sens(f.args, r, S[sub], ph_raw, other, {}, sim)
                dy = np.zeros((len(r), nt))
                for part, a_s in zip(self._partials(oid, "formula"), dargs):
                    if np.any(a_s):
                        dy += np.broadcast_to(np.asarray(part(*args), dtype=float), (len(r),))[:, None] * a_s
                nf = o["noise"]
                nargs = ev._symbol_values(nf.args, r, traj[sub], t[sub], ph, other, values, {oid: y}, oid, "noiseFormula")
                sigma = np.broadcast_to(np.asarray(nf.func(*nargs), dtype=float), (len(r),)).astype(float)
                ndargs = self._arg_sens(nf.args, r, S[sub], ph_raw, other, {oid: dy}, sim)
                dsig = np.zeros((len(r), nt))
                for part, a_s in zip(self._partials(oid, "noise"), ndargs):
                    if np.any(a_s):
                        dsig += np.broadcast_to(np.asarray(part(*nargs), dtype=float), (len(r),))[:, None] * a_s
                mval = meas["measurement"].to_numpy(dtype=float)[r]
                chi2, llh = _objective(mval, y, sigma, o["transformation"], o["distribution"])
                chi2_total += float(np.sum(chi2))
                llh_total += float(np.sum(llh))
                tr = o["transformation"]
                with np.errstate(divide="ignore", invalid="ignore"):
                    if tr == "lin":
                        hy, hm, dh = y, mval, np.ones_like(y)
                    elif tr == "log":
                        hy, hm, dh = np.log(y), np.log(mval), 1.0 / y
                    else:
                        hy, hm, dh = np.log10(y), np.log10(mval), 1.0 / (y * math.log(10.0))
                    res = (hy - hm) / sigma
                    dres = (dh[:, None] * dy - res[:, None] * dsig) / sigma[:, None]
                    if o["distribution"] == "normal":
                        g = -dsig / sigma[:, None] - res[:, None] * dres
                    else:
                        g = -dsig / sigma[:, None] - np.sign(res)[:, None] * dres
                grad += np.sum(g, axis=0)
        return llh_total, grad, chi2_total
