"""apps/hetspike-nestml itself: the same headers from every run (NESTML lists some names in an order that changes
from run to run), its options and their errors, and the models it refuses with a reason."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from conftest import SOURCE_DIR

pynestml = pytest.importorskip("pynestml")
LIBRARY = Path(sys.prefix) / "models" / "neurons"
GENERATOR = SOURCE_DIR / "apps" / "hetspike-nestml"


def generate(out: Path, *arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, GENERATOR, *map(str, arguments), "-o", out], capture_output=True,
                          text=True, timeout=600)


def library(name: str) -> Path:
    return LIBRARY / f"{name}.nestml"


def test_two_runs_write_the_same_headers(tmp_path):
    # Two models with two convolutions each: their state order and propagators used to change between runs.
    models = [library("aeif_cond_exp_neuron"), library("iaf_cond_exp_neuron")]
    texts = []
    for run in ("a", "b"):
        result = generate(tmp_path / run, *models)
        assert result.returncode == 0, result.stderr
        texts.append({p.name: p.read_text() for p in sorted((tmp_path / run).glob("*.hpp"))})
    assert len(texts[0]) == 3 and texts[0] == texts[1]


def test_options_shape_the_step(tmp_path):
    result = generate(tmp_path, library("izhikevich_neuron"), library("aeif_cond_exp_neuron"),
                      "--option", "izhikevich_neuron:numeric_solver=forward-Euler",
                      "--option", "aeif_cond_exp_neuron:solver=numeric",
                      "--option", "aeif_cond_exp_neuron:condition_checks=substep")
    assert result.returncode == 0, result.stderr
    izhikevich = (tmp_path / "izhikevich_neuron.hpp").read_text()
    aeif = (tmp_path / "aeif_cond_exp_neuron.hpp").read_text()
    assert "// options: solver=analytic, numeric_solver=forward-Euler, condition_checks=step" in izhikevich
    assert "rkf45" not in izhikevich.split("static bool step")[1] and "y[i] += k.resolution * f[i];" in izhikevich
    # Forward Euler has no step size to carry and no pow(): only multiplies and adds (bitwise on a GPU).
    assert "integration_step" not in izhikevich and "transcendental = false;" in izhikevich
    assert "// options: solver=numeric, numeric_solver=rk45, condition_checks=substep" in aeif
    assert "__P__" not in aeif  # no propagators: the conductances are in RKF45's system, as in NEST's aeif
    assert aeif.count("rkf45_evolve_apply<5>") == 2 and "if (t_ode == t_from)" in aeif
    # izhikevich's one port is unqualified: it takes every weight as it is (NESTML calls it both kinds).
    assert "const double in_spikes = (fixed_to_double(input[0]) * k.input_scale);" in izhikevich


def test_constant_subexpressions_leave_the_step(tmp_path):
    # ODE-toolbox's propagator expression for iaf_psc_exp's V_m divides parameters by parameters; those subtrees
    # are computed once, in prepare(), by the same operations (the generated and hand-written models' spikes stay
    # equal bit for bit: test_nestml_models).
    result = generate(tmp_path, library("iaf_psc_exp_neuron"))
    assert result.returncode == 0, result.stderr
    text = (tmp_path / "iaf_psc_exp_neuron.hpp").read_text()
    prepare, step = text.split("static constants prepare")[1].split("return k;")[0], text.split("static bool step")[1]
    assert "k.__c1 = (-p.E_L) * k.__P__V_m__V_m + p.E_L;" in prepare
    assert "k.__c3 = p.I_e * p.tau_m / p.C_m;" in prepare
    assert "k.__c1 + s.I_syn_exc * k.__P__V_m__I_syn_exc" in step and " / " not in step


@pytest.mark.parametrize("option, message", [
    ("solver=exact", "solver is one of analytic, numeric"),
    ("numeric_solver=euler", "numeric_solver is one of rk45, forward-Euler"),
    ("steps=2", "expected [MODEL:]KEY=VALUE with KEY one of solver, numeric_solver, condition_checks"),
    ("no_such_neuron:solver=numeric", "no model no_such_neuron in the given files"),
])
def test_bad_options_are_refused_with_what_is_allowed(tmp_path, option, message):
    result = generate(tmp_path, library("izhikevich_neuron"), "--option", option)
    assert result.returncode == 2 and message in result.stderr, result.stderr
    assert not list(tmp_path.glob("*.hpp"))


def test_substep_conditions_need_every_ode_numeric(tmp_path):
    # ODE-toolbox solves aeif's conductances exactly over whole steps: a step cut at a sub-step cannot use them.
    result = generate(tmp_path, library("aeif_cond_exp_neuron"), "--option", "condition_checks=substep")
    assert result.returncode == 1
    assert "condition_checks=substep needs every ODE integrated numerically (solver=numeric)" in result.stderr
    # izhikevich's update block adds its input after integrate_odes(): running it again would add it twice.
    result = generate(tmp_path, library("izhikevich_neuron"), "--option", "condition_checks=substep")
    assert result.returncode == 1
    assert "needs an update block of integrate_odes() calls only" in result.stderr, result.stderr


def test_library_writes_the_entry_points_instead_of_the_registry(tmp_path):
    result = generate(tmp_path, library("iaf_psc_exp_neuron"), library("izhikevich_neuron"), "--library", "mymodels")
    assert result.returncode == 0, result.stderr
    assert not (tmp_path / "hetspike_generated_models.hpp").exists()
    entry = (tmp_path / "mymodels.cpp").read_text()
    assert '#include "kernels/library_model.hpp"' in entry
    assert "HETSPIKE_MODEL_LIBRARY(hetspike::nestml::iaf_psc_exp_neuron, hetspike::nestml::izhikevich_neuron)" in entry
    bad = generate(tmp_path, library("iaf_psc_exp_neuron"), "--library", "my-models")
    assert bad.returncode == 2 and "--library 'my-models': allowed: a name of the form" in bad.stderr
