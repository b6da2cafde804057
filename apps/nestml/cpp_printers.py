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
from pynestml.symbols.predefined_functions import PredefinedFunctions
from pynestml.symbols.predefined_variables import PredefinedVariables
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


def make_expression_printer():
    """One printer, its variable printer (ode_index, bare_parameters) and its function call printer."""
    variables = ModelVariablePrinter()
    calls = ModelFunctionCallPrinter()
    printer = CppExpressionPrinter(simple_expression_printer=CppSimpleExpressionPrinter(
        variable_printer=variables, constant_printer=ConstantPrinter(), function_call_printer=calls))
    variables._expression_printer = printer
    calls._expression_printer = printer
    return printer, variables, calls
