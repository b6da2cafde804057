"""NESTML's own analysis of neuron models, as its NEST target runs it.

Parsing, NESTML's checks (cocos), its transformations (inline expressions expanded, convolutions with kernels
turned into state variables, ODE-toolbox's analysis) and the NEST code generator's analysis of the result: which
state variables ODE-toolbox solved exactly (propagators and update expressions) and which need a numeric solver
(right-hand sides), and what each spike does to convolution variables. hetspike's model types are printed from
what this returns (model_header.py), so a model means in hetspike what it means in NEST.
"""

import dataclasses
import tempfile
from typing import Any

from pynestml.cocos.co_cos_manager import CoCosManager
from pynestml.codegeneration.nest_code_generator import NESTCodeGenerator
from pynestml.frontend.pynestml_frontend import (configure_front_end, get_parsed_models, transform_models,
                                                 transformers_from_target_name)
from pynestml.utils.logger import Logger, LoggingLevel

# NEST's version for NESTML's NEST generator: it only selects API spellings that hetspike never prints.
NEST_VERSION = "v3.10"


class ModelErrors(Exception):
    """NESTML found errors in a model file (the message lists NESTML's own messages)."""


@dataclasses.dataclass
class AnalysedModel:
    model: Any  # pynestml ASTModel, transformed
    namespace: dict  # what NESTML's NEST generator would render the model from
    source: str  # the .nestml file
    options: dict  # the generator options it was analysed and is printed with (generate.py's OPTIONS)


def analyse(files: list[str], options_of) -> list[AnalysedModel]:
    """The neuron models of `files`, analysed with the options options_of(model name) gives (NESTML's NEST
    generator options `solver` and `numeric_solver` among them). Raises ModelErrors where NESTML reports errors."""
    with tempfile.TemporaryDirectory() as scratch:
        configure_front_end(files, "NEST", target_path=scratch, logging_level="ERROR",
                            codegen_opts={"nest_version": NEST_VERSION})
        models = get_parsed_models()
        for model in models:
            if not Logger.has_errors(model):
                CoCosManager.check_cocos(model)
        errors = [f"{model.get_name()}: {message}" for model in models if Logger.has_errors(model)
                  for message in _messages(model)]
        if errors or not models:
            raise ModelErrors("\n".join(errors) or "no model found in " + ", ".join(files))
        analysed = []
        for solver in sorted({options_of(m.get_name()).get("solver", "analytic") for m in models}):
            # ODE-toolbox's analysis runs per `solver` option (NESTML's transformer option): "numeric" disables
            # the exact propagators, as NESTML's own NEST tests generate aeif_cond_exp to compare it with NEST's.
            group = [m for m in models if options_of(m.get_name()).get("solver", "analytic") == solver]
            transformers, _ = transformers_from_target_name("NEST", options={"solver": solver})
            group, metadata = transform_models(transformers, group)
            for model in group:
                options = options_of(model.get_name())
                generator = NESTCodeGenerator({"nest_version": NEST_VERSION})
                generator.analyse_transform_neurons([model], metadata)
                analysed.append(AnalysedModel(model, generator._get_neuron_model_namespace(model, metadata),
                                              _source_of(model, files), options))
        return sorted(analysed, key=lambda a: a.model.get_name())


def _messages(model) -> list[str]:
    return [str(message) for message in Logger.get_messages(model, LoggingLevel.ERROR)]


def _source_of(model, files: list[str]) -> str:
    for name in files:
        with open(name, encoding="utf-8") as text:
            if f"model {model.get_name()}:" in text.read():
                return name
    return files[0]
