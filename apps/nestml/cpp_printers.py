"""C++ expression printers for hetspike's model types, built on NESTML's own C++ printers.

NESTML's printers decide operator precedence, unit conversion of literals (to NEST's units: ms, mV, pA, nS, pF)
and how sympy's output reads in C++; these subclasses only say where a name lives in a hetspike model:
parameters in `p`, internals (NESTML's `internals` and ODE-toolbox's propagators) in `k`, state in `s`, or
`y[i]` inside the right-hand side of the ODEs that RKF45 integrates, and a spike input port's value in the
step's local `in_<port>`.
"""

from pynestml.codegeneration.nest_unit_converter import NESTUnitConverter
from pynestml.codegeneration.printers.constant_printer import ConstantPrinter
from pynestml.codegeneration.printers.cpp_expression_printer import CppExpressionPrinter
from pynestml.codegeneration.printers.cpp_function_call_printer import CppFunctionCallPrinter
from pynestml.codegeneration.printers.cpp_simple_expression_printer import CppSimpleExpressionPrinter
from pynestml.codegeneration.printers.cpp_variable_printer import CppVariablePrinter
from pynestml.meta_model.ast_expression import ASTExpression
from pynestml.meta_model.ast_simple_expression import ASTSimpleExpression
from pynestml.symbols.predefined_functions import PredefinedFunctions
from pynestml.symbols.predefined_variables import PredefinedVariables
from pynestml.symbols.real_type_symbol import RealTypeSymbol
from pynestml.symbols.symbol import SymbolKind
from pynestml.symbols.unit_type_symbol import UnitTypeSymbol
from pynestml.symbols.variable_symbol import BlockType


class UnsupportedModel(Exception):
    """A NESTML construct hetspike's model types cannot express (the message says which and where)."""


def cpp_name(name: str) -> str:
    return CppVariablePrinter._print_cpp_name(name)


def where(node) -> str:
    position = node.get_source_position()
    return f"line {position.start_line}" if position is not None else "generated code"


class ModelVariablePrinter(CppVariablePrinter):
    def __init__(self, expression_printer=None):
        super().__init__(expression_printer)
        self.ode_index = None  # name -> index into y[] while printing an ODE right-hand side
        self.bare_parameters = False  # parameters by their own name (a default that names an earlier parameter)

    def print_variable(self, node) -> str:
        if node.get_name() == PredefinedVariables.E_CONSTANT:
            return "2.718281828459045"
        if node.get_name() == PredefinedVariables.PI_CONSTANT:
            return "3.141592653589793"
        if node.get_name() == PredefinedVariables.TIME_CONSTANT:
            raise UnsupportedModel(f"{where(node)}: the simulation time t is not available to a neuron's step")
        symbol = node.get_scope().resolve_to_symbol(node.get_complete_name(), SymbolKind.VARIABLE)
        if symbol is None:
            raise UnsupportedModel(f"{where(node)}: unknown variable {node.get_complete_name()}")
        if symbol.has_vector_parameter() or node.has_vector_parameter():
            raise UnsupportedModel(f"{where(node)}: vector variable {node.get_name()}")
        name = cpp_name(node.get_complete_name())
        if symbol.is_spike_input_port():
            # NESTML types a spike port as weight per time (1/s): NEST's printer scales it to its ms by this factor.
            factor = 1.0
            if isinstance(symbol.get_type_symbol(), UnitTypeSymbol):
                factor = NESTUnitConverter.get_factor(symbol.get_type_symbol().unit.unit)
            return f"in_{name}" if factor == 1 else f"({factor!r} * in_{name})"
        if symbol.is_continuous_input_port():
            return "0.0"  # hetspike's DC inputs add to I_e (model_header.py's for_run); no other current inputs
        if symbol.is_inline_expression:
            return "(" + self._expression_printer.print(symbol.get_declaring_expression()) + ")"
        if self.ode_index is not None and name in self.ode_index:
            return f"y[{self.ode_index[name]}]"
        if symbol.block_type in (BlockType.STATE, BlockType.EQUATION):
            return "s." + name
        if symbol.block_type in (BlockType.PARAMETERS, BlockType.COMMON_PARAMETERS):
            return name if self.bare_parameters else "p." + name
        if symbol.block_type == BlockType.INTERNALS:
            return "k." + name
        return name


class ModelFunctionCallPrinter(CppFunctionCallPrinter):
    def __init__(self, expression_printer=None):
        super().__init__(expression_printer)
        self.model_functions = set()  # the model's own functions: static members that also take (k, s)

    def _print_function_call_format_string(self, function_call) -> str:
        name = function_call.get_name()
        if name in self.model_functions:
            return name + "(" + ", ".join(["k", "s"] + ["{!s}"] * len(function_call.get_args())) + ")"
        if name in (PredefinedFunctions.TIME_RESOLUTION, PredefinedFunctions.TIME_TIMESTEP):
            return "k.resolution"
        if name == PredefinedFunctions.TIME_STEPS:
            return "static_cast<std::int32_t>(std::lround(({!s}) / k.resolution))"
        if name == "pow":  # NESTML's ** with an exponent other than 0 to 4
            return "std::pow({!s}, {!s})"
        if name == PredefinedFunctions.EXPM1:
            return "std::expm1({!s})"
        if name.startswith("random_") or name in (PredefinedFunctions.PRINT, PredefinedFunctions.PRINTLN):
            raise UnsupportedModel(f"{where(function_call)}: function {name}() is not supported")
        return super()._print_function_call_format_string(function_call)


class HoistingExpressionPrinter(CppExpressionPrinter):
    """NESTML's C++ expression printer that, while `pool` is a dict, prints each largest real-valued subexpression
    of parameters, internals and literals (`(-p.E_L) * k.__P__V_m__V_m`, `p.I_e * p.tau_m / p.C_m`) as a constant
    `k.__cN`, computed once in prepare() (pool: its text -> N). A whole subtree is hoisted, evaluated by the same
    operations in the same order: the step's results stay the same bit for bit, without a neuron's divisions and
    exponentials of parameters."""

    def __init__(self, simple_expression_printer, model_functions: set):
        super().__init__(simple_expression_printer=simple_expression_printer)
        self.pool = None
        self.model_functions = model_functions

    def print(self, node) -> str:
        if self.pool is None or not self._worth_hoisting(node):
            return super().print(node)
        pool, self.pool = self.pool, None  # the constant's own text is printed whole
        try:
            text = super().print(node)
        finally:
            self.pool = pool
        return "k." + pool.setdefault(text, f"__c{len(pool)}")

    def _worth_hoisting(self, node) -> bool:
        if not isinstance(node, (ASTExpression, ASTSimpleExpression)):
            return False  # a variable being assigned, ...
        if isinstance(node, ASTSimpleExpression) and not (node.is_function_call()
                                                          and node.get_function_call().get_args()):
            return False  # a variable or a literal is a load already
        if isinstance(node, ASTExpression) and node.is_encapsulated:
            return False  # its inner expression is hoisted instead, parentheses kept around the constant
        # Real-valued only (a constant holds a double); the type is asked last: NESTML logs where it cannot derive one.
        return self._constant(node) and isinstance(node.type, (RealTypeSymbol, UnitTypeSymbol))

    def _constant(self, node) -> bool:
        if isinstance(node, ASTSimpleExpression):
            if node.is_numeric_literal() or node.is_inf_literal:
                return True
            if node.is_variable():
                return self._constant_variable(node.get_variable())
            if node.is_function_call():
                call = node.get_function_call()
                return (call.get_name() not in self.model_functions and not call.get_name().startswith("random_")
                        and all(self._constant(a) for a in call.get_args()))
            return False
        if isinstance(node, ASTExpression):
            if node.is_expression():
                return self._constant(node.get_expression())
            if node.is_compound_expression():
                return self._constant(node.get_lhs()) and self._constant(node.get_rhs())
            if node.is_ternary_operator():
                return all(self._constant(n) for n in (node.get_condition(), node.get_if_true(), node.get_if_not()))
        return False

    def _constant_variable(self, variable) -> bool:
        if variable.get_name() in (PredefinedVariables.E_CONSTANT, PredefinedVariables.PI_CONSTANT):
            return True
        symbol = variable.get_scope().resolve_to_symbol(variable.get_complete_name(), SymbolKind.VARIABLE)
        if symbol is None or symbol.has_vector_parameter() or symbol.is_spike_input_port():
            return False
        if symbol.is_continuous_input_port():
            return True  # printed as 0.0 (ModelVariablePrinter)
        if symbol.is_inline_expression:
            return self._constant(symbol.get_declaring_expression())
        return symbol.block_type in (BlockType.PARAMETERS, BlockType.COMMON_PARAMETERS, BlockType.INTERNALS)


def make_expression_printer():
    """One printer (its `pool` hoists constants), its variable printer (ode_index, bare_parameters) and its function
    call printer (model_functions, shared with the printer)."""
    variables = ModelVariablePrinter()
    calls = ModelFunctionCallPrinter()
    printer = HoistingExpressionPrinter(CppSimpleExpressionPrinter(
        variable_printer=variables, constant_printer=ConstantPrinter(), function_call_printer=calls),
        calls.model_functions)
    variables._expression_printer = printer
    calls._expression_printer = printer
    return printer, variables, calls
