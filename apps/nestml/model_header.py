"""One NESTML neuron model, analysed by NESTML (analysis.py), printed as a hetspike model type
(kernels/model_description.hpp): a C++ header with its parameters, state, receptor ports and a per-neuron step.

The step does, per simulation step, what NESTML's NEST target does (its NeuronClass update()):
  1. convolution variables (a kernel convolved with a spike port) advance by their propagators;
  2. the update block runs; integrate_odes(vars) advances the named variables: exactly (ODE-toolbox's
     propagators) where they are linear, otherwise with RKF45 (kernels/rkf45.hpp) as NEST's GSL integration with
     NESTML's error bounds, the integration step carried in the neuron's state;
  3. onReceive blocks of ports that received spikes this step;
  4. convolution variables take their advanced values plus this step's spikes;
  5. onCondition blocks, in order; emit_spike() makes the step return true.
Spike ports are the model's receptors, in declaration order: an `excitatory` port takes positive weights by
default, an `inhibitory` one negative weights, negated (NEST's NESTML models see |w| there).
"""

import re

from pynestml.symbols.integer_type_symbol import IntegerTypeSymbol
from pynestml.symbols.boolean_type_symbol import BooleanTypeSymbol
from pynestml.symbols.symbol import SymbolKind
from pynestml.symbols.unit_type_symbol import UnitTypeSymbol

from cpp_printers import UnsupportedModel, cpp_name, make_expression_printer, where

# NESTML's default error bounds for its GSL integration in NEST (absolute and relative, on the solution).
GSL_ABS_ERROR_TOL = 1e-6
GSL_REL_ERROR_TOL = 1e-6
INTEGRATION_STEP = "integration_step"  # the state variable that carries RKF45's step size
TRANSCENDENTAL = re.compile(r"std::(exp|expm1|log|log10|pow|sin|cos|tan|sinh|cosh|tanh|erf|erfc|sqrt)\(")


def canonical_order(items, name=lambda item: item) -> list:
    """The model's own variables in NESTML's order, then the convolution variables NESTML adds (`g__X__port`)
    sorted by name: NESTML lists those in an order that changes from run to run, and with it the generated
    model's state layout and y[] indices."""
    items = list(items)
    return ([i for i in items if "__X__" not in name(i)] +
            sorted((i for i in items if "__X__" in name(i)), key=name))


def cpp_type(type_symbol) -> str:
    if isinstance(type_symbol, (IntegerTypeSymbol, BooleanTypeSymbol)):
        return "std::int32_t"
    return "double"


def unit_of(type_symbol) -> str:
    if isinstance(type_symbol, UnitTypeSymbol):
        return type_symbol.print_symbol().replace(" ", "")
    return ""


class ModelHeader:
    def __init__(self, analysed):
        self.model = analysed.model
        self.ns = analysed.namespace
        self.source = analysed.source
        self.name = self.model.get_name()
        self.options = analysed.options
        self.printer, self.variables, calls = make_expression_printer()
        calls.model_functions.update(f.get_name() for f in self.model.get_functions())
        self.ports = list(self.model.get_spike_input_ports())
        self.analytic = canonical_order(self.ns.get("analytic_state_variables") or [])
        self.numeric = canonical_order(self.ns.get("numeric_state_variables") or [])
        self.state_symbols = canonical_order(self.model.get_state_symbols(), lambda s: s.get_symbol_name())
        self.param_symbols = list(self.model.get_parameter_symbols())
        state_names = [cpp_name(s.get_symbol_name()) for s in self.state_symbols]
        if self.rkf45() and INTEGRATION_STEP in state_names:
            raise UnsupportedModel(f"a state variable is named {INTEGRATION_STEP}, which hetspike uses for RKF45")
        if "V_m" not in state_names:
            raise UnsupportedModel("no state variable V_m (the membrane potential that v_init sets)")
        if not self.model.get_on_condition_blocks():
            raise UnsupportedModel("no onCondition block: the model never spikes")
        if self.substeps():
            self.check_substep_model()

    def expr(self, node) -> str:
        return self.printer.print(node)

    # -- the step's statements ------------------------------------------------------------------------------

    def statements(self, body, indent: str) -> list[str]:
        lines = []
        for stmt in body.get_stmts():
            if stmt.is_small_stmt():
                lines += self.small_statement(stmt.small_stmt, indent)
            else:
                lines += self.compound_statement(stmt.compound_stmt, indent)
        return lines

    def small_statement(self, small, indent: str) -> list[str]:
        if small.is_assignment():
            return [indent + self.assignment(small.get_assignment())]
        if small.is_declaration():
            decl = small.get_declaration()
            out = []
            for variable in decl.get_variables():
                if variable.has_vector_parameter() or decl.size_parameter is not None:
                    raise UnsupportedModel(f"{where(decl)}: vector declaration")
                value = self.expr(decl.get_expression()) if decl.has_expression() else "0"
                out.append(f"{indent}{cpp_type(decl.get_data_type().get_type_symbol())} "
                           f"{cpp_name(variable.get_complete_name())} = {value};")
            return out
        if small.is_function_call():
            call = small.get_function_call()
            if call.get_name() == "integrate_odes":
                return self.integrate_odes(call, indent)
            if call.get_name() == "emit_spike":
                if call.get_args():
                    raise UnsupportedModel(f"{where(call)}: emit_spike() with arguments")
                return [indent + "spike = true;"]
            return [indent + self.expr(call) + ";"]
        statement = small.get_return_stmt()
        return [indent + ("return " + self.expr(statement.get_expression()) if statement.has_expression() else "return")
                + ";"]

    def compound_statement(self, compound, indent: str) -> list[str]:
        inner = indent + "  "
        if compound.is_if_stmt():
            stmt = compound.get_if_stmt()
            clause = stmt.get_if_clause()
            lines = [f"{indent}if ({self.expr(clause.condition)}) {{"] + self.statements(clause.stmts_body, inner)
            for elif_clause in stmt.get_elif_clauses():
                lines += [f"{indent}}} else if ({self.expr(elif_clause.condition)}) {{"]
                lines += self.statements(elif_clause.stmts_body, inner)
            if stmt.has_else_clause():
                lines += [f"{indent}}} else {{"] + self.statements(stmt.get_else_clause().stmts_body, inner)
            return lines + [indent + "}"]
        if compound.is_while_stmt():
            stmt = compound.get_while_stmt()
            return ([f"{indent}while ({self.expr(stmt.condition)}) {{"] + self.statements(stmt.stmts_body, inner) +
                    [indent + "}"])
        stmt = compound.get_for_stmt()
        var = cpp_name(stmt.variable)
        step = stmt.step
        comparison = "<=" if step > 0 else ">="
        return ([f"{indent}for ({var} = {self.expr(stmt.start_from)}; {var} {comparison} {self.expr(stmt.end_at)}; "
                 f"{var} += {step!r}) {{"] + self.statements(stmt.stmts_body, inner) + [indent + "}"])

    def assignment(self, node) -> str:
        operator = "="
        if node.is_compound_sum:
            operator = "+="
        elif node.is_compound_minus:
            operator = "-="
        elif node.is_compound_product:
            operator = "*="
        elif node.is_compound_quotient:
            operator = "/="
        elif node.is_compound_integer_quotient:
            raise UnsupportedModel(f"{where(node)}: integer division assignment")
        return f"{self.expr(node.get_variable())} {operator} {self.expr(node.get_expression())};"

    def integrate_odes(self, call, indent: str) -> list[str]:
        named = [cpp_name(arg.get_variable().get_complete_name()) for arg in call.get_args()]
        analytic = [v for v in self.analytic if (not named or v in named) and "__X__" not in v]
        numeric = [v for v in self.numeric if not named or v in named]
        lines = [f"{indent}// integrate_odes({', '.join(named)})"]
        update = self.ns.get("update_expressions") or {}
        for v in analytic:  # from the old values, as NEST's AnalyticIntegrationStep_begin
            lines.append(f"{indent}const double {v}__tmp = {self.expr(update[v])};")
        if numeric:
            lines += self.numeric_integration(named, indent)
        for v in analytic:
            lines.append(f"{indent}s.{v} = {v}__tmp;")
        for port_updates in self.spike_updates():
            for node in port_updates:
                target = cpp_name(node.get_variable().get_complete_name())
                if target in analytic + numeric and "__X__" not in target:
                    lines.append(indent + self.assignment(node))
        return lines

    def numeric_integration(self, named: list[str], indent: str) -> list[str]:
        """One step of every numeric variable, as NEST's GSL system: the right-hand side of a variable that this
        call does not integrate is 0, except convolution variables, which evolve inside the step and are put
        back afterwards (their own propagators advance them). RKF45 (numeric_solver rk45) or one forward Euler
        step; with condition_checks substep, RKF45 stops after the first sub-step at whose end an onCondition
        holds (step_body applies it and integrates the rest of the step)."""
        rhs = self.ns["numeric_update_expressions"]
        index = {v: i for i, v in enumerate(self.numeric)}
        n = len(self.numeric)
        inner = indent + "  "
        lines = [f"{indent}{{", f"{inner}double y[{n}] = {{{', '.join('s.' + v for v in self.numeric)}}};"]
        lines.append(f"{inner}const auto rhs = [&](const double* y, double* f) {{")
        moving = [v for v in self.numeric if not named or v in named or "__X__" in v]
        self.variables.ode_index = index
        try:
            for v in self.numeric:
                lines.append(f"{inner}  f[{index[v]}] = {self.expr(rhs[v]) if v in moving else '0.0'};")
        finally:
            self.variables.ode_index = None
        lines.append(f"{inner}}};")
        restored = set(self.analytic)  # convolutions solved exactly keep their old values here
        results = [f"s.{v} = y[{index[v]}];" for v in moving if "__X__" not in v or v not in restored]
        tolerance = f"rkf45_tolerance{{{GSL_ABS_ERROR_TOL!r}, {GSL_REL_ERROR_TOL!r}}}"
        if self.options["numeric_solver"] == "forward-Euler":  # NESTML's: y += h f(y), all from the old values
            lines += [f"{inner}double f[{n}];", f"{inner}rhs(y, f);",
                      f"{inner}for (int i = 0; i < {n}; ++i) y[i] += k.resolution * f[i];"]
        elif self.substeps():
            lines.append(f"{inner}if (!(s.{INTEGRATION_STEP} > 0)) s.{INTEGRATION_STEP} = k.resolution;")
            lines.append(f"{inner}while (t_ode < k.resolution) {{")
            lines.append(f"{inner}  rkf45_evolve_apply<{n}>(y, t_ode, s.{INTEGRATION_STEP}, k.resolution, rhs, "
                         f"{tolerance});")
            lines += [f"{inner}  {line}" for line in results]
            lines.append(f"{inner}  if ({self.any_condition()}) break;")
            return lines + [f"{inner}}}", f"{indent}}}"]
        else:
            lines.append(f"{inner}if (!(s.{INTEGRATION_STEP} > 0)) s.{INTEGRATION_STEP} = k.resolution;")
            lines.append(f"{inner}rkf45_integrate<{n}>(y, s.{INTEGRATION_STEP}, k.resolution, rhs, {tolerance});")
        return lines + [f"{inner}{line}" for line in results] + [f"{indent}}}"]

    # -- onCondition blocks after RKF45's sub-steps (condition_checks substep) ----------------------------------

    def rkf45(self) -> bool:
        """Whether the step integrates with RKF45 (and carries its step size in the state)."""
        return bool(self.numeric) and self.options["numeric_solver"] == "rk45"

    def substeps(self) -> bool:
        return self.options["condition_checks"] == "substep"

    def any_condition(self) -> str:
        return " || ".join(f"({self.expr(block.get_cond_expr())})" for block in self.model.get_on_condition_blocks())

    def check_substep_model(self) -> None:
        """What re-running the update block for the rest of a step needs: nothing but integrate_odes() calls
        (in if/elif/else), at most one on any path, every variable they advance integrated by RKF45."""
        if self.options["numeric_solver"] != "rk45":
            raise UnsupportedModel("condition_checks=substep needs numeric_solver=rk45 (its sub-steps)")
        if self.analytic:
            raise UnsupportedModel("condition_checks=substep needs every ODE integrated numerically (solver=numeric); "
                                   f"ODE-toolbox solved {', '.join(self.analytic)} exactly over whole steps")

        def calls_on_a_path(body) -> int:
            most = 0
            for stmt in body.get_stmts():
                if stmt.is_small_stmt():
                    small = stmt.small_stmt
                    if not (small.is_function_call() and small.get_function_call().get_name() == "integrate_odes"):
                        raise UnsupportedModel(f"{where(small)}: condition_checks=substep needs an update block of "
                                               "integrate_odes() calls only (it runs again for the rest of a step)")
                    most += 1
                elif stmt.compound_stmt.is_if_stmt():
                    node = stmt.compound_stmt.get_if_stmt()
                    bodies = [node.get_if_clause().stmts_body] + [c.stmts_body for c in node.get_elif_clauses()]
                    if node.has_else_clause():
                        bodies.append(node.get_else_clause().stmts_body)
                    most += max(calls_on_a_path(b) for b in bodies)
                else:
                    raise UnsupportedModel(f"{where(stmt)}: condition_checks=substep needs an update block without "
                                           "loops")
            return most

        for block in self.model.get_update_blocks():
            if calls_on_a_path(block.get_stmts_body()) > 1:
                raise UnsupportedModel(f"{where(block)}: condition_checks=substep needs at most one integrate_odes() "
                                       "on any path through the update block")

    def on_conditions(self, indent: str) -> list[str]:
        lines = []
        for block in self.model.get_on_condition_blocks():
            lines.append(f"{indent}if ({self.expr(block.get_cond_expr())}) {{")
            lines += self.statements(block.get_stmts_body(), indent + "  ")
            lines.append(f"{indent}}}")
        return lines

    def step_body(self) -> list[str]:
        ind = "    "
        lines = [f"{ind}const params& p = k.p;", f"{ind}bool spike = false;"]
        for r, port in enumerate(self.ports):
            sign = "-" if port.is_inhibitory() and not port.is_excitatory() else ""  # unqualified: both
            lines.append(f"{ind}const double in_{cpp_name(port.get_symbol_name())} = "
                         f"{sign}(fixed_to_double(input[{r}]) * k.input_scale);")
        update = self.ns.get("update_expressions") or {}
        convolutions = [v for v in self.analytic if "__X__" in v]
        for v in convolutions:
            lines.append(f"{ind}const double {v}__advanced = {self.expr(update[v])};")
        update = []
        for block in self.model.get_update_blocks():
            update += self.statements(block.get_stmts_body(), ind + ("  " if self.substeps() else ""))
        if self.substeps():
            # The update block integrates until an onCondition holds after a sub-step; that block acts there and
            # the update block integrates the rest of the step from that time (NEST's aeif models reset inside
            # their GSL loop). One that holds only at the end of the step acts below, after the inputs, as always.
            lines += [f"{ind}double t_ode = 0;  // how far into this step the ODEs have come, ms", f"{ind}for (;;) {{",
                      f"{ind}  const double t_from = t_ode;", *update,
                      f"{ind}  if (t_ode == t_from) t_ode = k.resolution;  // a branch that integrates nothing",
                      f"{ind}  if (!(t_ode < k.resolution)) break;", *self.on_conditions(ind + "  "), f"{ind}}}"]
        else:
            lines += update
        ports = {cpp_name(p.get_symbol_name()) for p in self.ports}
        for block in self.model.get_on_receive_blocks():
            port = cpp_name(block.get_port_name())
            if port not in ports:
                raise UnsupportedModel(f"{where(block)}: onReceive of {port}, which is not a spike port")
            lines.append(f"{ind}if (in_{port} != 0.0) {{")  # NEST: a spike arrived (hetspike: a nonzero sum)
            lines += self.statements(block.get_stmts_body(), ind + "  ")
            lines.append(f"{ind}}}")
        for v in convolutions:
            lines.append(f"{ind}s.{v} = {v}__advanced;")
        for port_updates in self.spike_updates():
            for node in port_updates:
                if "__X__" in node.get_variable().get_name():
                    lines.append(ind + self.assignment(node))
        return lines + self.on_conditions(ind) + [f"{ind}return spike;"]

    # -- the description ------------------------------------------------------------------------------------

    def function_lines(self) -> list[str]:
        """The model's functions, as static members that may read the constants and the state as a step does."""
        lines = []
        for function in self.model.get_functions():
            returns = cpp_type(function.get_return_type().get_type_symbol()) if function.has_return_type() else "void"
            arguments = ", ".join(["const constants& k", "[[maybe_unused]] const state& s"] + [
                f"{cpp_type(a.get_data_type().get_type_symbol())} {cpp_name(a.get_name())}"
                for a in function.get_parameters()])
            lines.append(f"  HETSPIKE_MODEL_FUNCTION static {returns} {function.get_name()}({arguments}) {{")
            lines.append("    [[maybe_unused]] const params& p = k.p;")
            lines += self.statements(function.get_stmts_body(), "    ")
            lines.append("  }")
        return lines

    def parameter_lines(self) -> list[str]:
        lines = []
        self.variables.bare_parameters = True  # a default may name an earlier member
        try:
            for sym in self.param_symbols:
                value = self.expr(sym.get_declaring_expression())
                lines.append(f"  {cpp_type(sym.get_type_symbol())} {cpp_name(sym.get_symbol_name())} = {value};")
        finally:
            self.variables.bare_parameters = False
        return lines

    def spike_updates(self) -> list:
        """What a spike at each port does, port by port in name order (NESTML's order changes from run to run)."""
        return [updates for _, updates in sorted((self.ns.get("spike_updates") or {}).items())]

    def internals_lines(self) -> tuple[list[str], list[str]]:
        members, assignments = [], []
        declarations = [d for block in self.model.get_internals_blocks() for d in block.get_declarations()]
        # ODE-toolbox's propagators last and by name (their order changes from run to run): they depend on
        # parameters, the step and the model's own internals, and nothing depends on them.
        propagator = [d.get_variables()[0].get_complete_name().startswith("__P__") for d in declarations]
        declarations = ([d for d, p in zip(declarations, propagator) if not p] +
                        sorted((d for d, p in zip(declarations, propagator) if p),
                               key=lambda d: d.get_variables()[0].get_complete_name()))
        for decl in declarations:
            for variable in decl.get_variables():
                name = cpp_name(variable.get_complete_name())
                value = self.expr(decl.get_expression())
                if re.search(r"\bs\.", value):
                    raise UnsupportedModel(f"{where(decl)}: internal {name} depends on the state")
                members.append(f"    {cpp_type(decl.get_data_type().get_type_symbol())} {name} = 0;")
                assignments.append(f"    k.{name} = {value};")
        return members, assignments

    def state_lines(self) -> tuple[list[str], list[str], list[str]]:
        members, descriptions, initial = [], [], []
        for sym in self.state_symbols:
            name = cpp_name(sym.get_symbol_name())
            members.append(f"    {cpp_type(sym.get_type_symbol())} {name} = 0;")
            descriptions.append(f'      {{"{name}", &state::{name}, "{unit_of(sym.get_type_symbol())}"}},')
            expression = sym.get_declaring_expression()
            if expression is not None:
                initial.append(f"    s.{name} = {self.expr(expression)};")
        if self.rkf45():
            members.append(f"    double {INTEGRATION_STEP} = 0;  ///< RKF45's step size, ms (0: the simulation step)")
            descriptions.append(f'      {{"{INTEGRATION_STEP}", &state::{INTEGRATION_STEP}, "ms"}},')
        return members, descriptions, initial

    def resting_potential(self) -> str:
        for sym in self.state_symbols:
            if sym.get_symbol_name() == "V_m":
                text = self.expr(sym.get_declaring_expression())
                if re.search(r"\b[sk]\.", text):
                    raise UnsupportedModel("V_m's initial value depends on more than the parameters")
                return text
        raise UnsupportedModel("no state variable V_m")

    def receptor_lines(self) -> list[str]:
        lines = []
        for port in self.ports:
            if port.has_vector_parameter():
                raise UnsupportedModel(f"{where(port)}: vector port {port.get_symbol_name()}")
            if port.is_excitatory() and not port.is_inhibitory():
                takes = "positive"
            elif port.is_inhibitory() and not port.is_excitatory():
                takes = "non_positive"
            else:
                takes = "every" if len(self.ports) == 1 else "none"
            lines.append(f'      {{"{cpp_name(port.get_symbol_name())}", default_weights::{takes}}},')
        return lines

    def text(self, nestml_version: str, odetoolbox_version: str) -> str:
        if not self.ports:
            raise UnsupportedModel("no spike input port")
        self.printer.pool = {}  # the step's constant subexpressions, computed in prepare() instead
        try:
            step = self.step_body()
        finally:
            hoisted, self.printer.pool = self.printer.pool, None
        params = self.parameter_lines()
        internal_members, internal_assignments = self.internals_lines()
        internal_members += [f"    double {name} = 0;" for name in hoisted.values()]
        internal_assignments += [f"    k.{name} = {text};" for text, name in hoisted.items()]
        state_members, state_descriptions, initial = self.state_lines()
        has_I_e = any(s.get_symbol_name() == "I_e" for s in self.param_symbols)
        # RKF45's step-size control calls pow(); forward Euler adds only multiplies and adds.
        transcendental = self.rkf45() or any(TRANSCENDENTAL.search(line) for line in step)
        for_run = ("return with_dc_in_I_e(p, r);" if has_I_e else
                   'if (r.dc != 0) throw std::invalid_argument("model ' + self.name +
                   ' has no parameter I_e, which DC inputs add to");\n    return p;')
        p_names = [f'      {{"{cpp_name(s.get_symbol_name())}", &params::{cpp_name(s.get_symbol_name())}, '
                   f'"{unit_of(s.get_type_symbol())}"}},' for s in self.param_symbols]
        description = (self.model.print_comment("// ").splitlines() or [""])[0].strip()
        n = self.name
        return "\n".join([
            "#pragma once",
            f"// {n}: generated by apps/hetspike-nestml from {self.source.rsplit('/', 1)[-1]} with NESTML "
            f"{nestml_version} and ODE-toolbox {odetoolbox_version}; do not edit.",
            "// options: " + ", ".join(f"{key}={value}" for key, value in self.options.items()),
            f"{description}" if description.startswith("//") else f"// {description}",
            "#include <array>", "#include <cmath>", "#include <cstdint>", "#include <limits>", "#include <optional>",
            "#include <stdexcept>", "#include <string_view>", "",
            '#include "kernels/model_description.hpp"', '#include "kernels/rkf45.hpp"', "",
            "namespace hetspike::nestml {", "",
            f"struct {n}_params {{", *params, "};", "",
            f"struct {n} {{",
            f'  static constexpr std::string_view name = "{n}";',
            f"  using params = {n}_params;",
            f"  static constexpr std::array<parameter<params>, {len(p_names)}> parameters{{{{",
            *p_names, "  }};",
            "  struct state {", *state_members, "  };",
            f"  static constexpr std::array<state_variable<state>, {len(state_descriptions)}> state_variables{{{{",
            *state_descriptions, "  }};",
            f"  static constexpr std::array<receptor_port, {len(self.ports)}> receptors{{{{",
            *self.receptor_lines(), "  }};",
            f"  static constexpr bool transcendental = {'true' if transcendental else 'false'};", "",
            "  struct constants {", "    params p;", "    double resolution = 0;  ///< ms",
            "    double input_scale = 1;  ///< weight units per ring unit", *internal_members, "  };",
            "  static constants prepare(const params& p, double dt, double input_scale) {",
            "    constants k;", "    [[maybe_unused]] const state s{};  // what the model's functions take", "    k.p = p;", "    k.resolution = dt;", "    k.input_scale = input_scale;",
            *internal_assignments, "    return k;", "  }",
            "  static state initial_state(const constants& k) {",
            "    [[maybe_unused]] const params& p = k.p;", "    state s;", *initial, "    return s;", "  }",
            "  static std::optional<parameter_error> check(const params&) { return std::nullopt; }  // NESTML has no rules",
            "  static params for_run(const params& p, [[maybe_unused]] const run_inputs& r) {",
            f"    {for_run}", "  }",
            f"  static double resting_potential([[maybe_unused]] const params& p) {{ return {self.resting_potential()}; }}",
            "  static void set_potential(const params&, state& s, double v) { s.V_m = v; }", "",
            *self.function_lines(), "",
            "  HETSPIKE_MODEL_FUNCTION static bool step(const constants& k, state& s, const fixed_type* input) {",
            *step, "  }", "};", "", "}  // namespace hetspike::nestml", ""])
