"""Bad input through the real binary under mpiexec on 2 ranks: each case exits with code 2 and one line that
names the file, the key and what is allowed, printed once (the same on every rank), and leaves no output
behind. A rank that fails mid-run ends the whole job with its message instead of hanging."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import BRUNEL, hetspike

GOOD = """
[parameters]
n = 100

[simulation]
dt = 0.1
t_sim = 50.0

[[populations]]
name = "E"
model = "iaf_psc_delta"
size = "n"
params = { C_m = 1.0, tau_m = 20.0, V_th = 20.0, V_reset = 0.0, E_L = 0.0 }

[[populations]]
name = "I"
model = "iaf_psc_exp"
size = 25

[[projections]]
source = "E"
target = ["E", "I"]
rule = "fixed_indegree"
indegree = 10
multapses = true
weight = 0.1
delay = 1.5

[[projections]]
source = "I"
target = "E"
rule = "pairwise_bernoulli"
p = 0.1
weight = -0.5
delay = 0.5

[[inputs]]
target = "E"
type = "poisson"
rate = 20000.0
weight = 0.1

[[recorders]]
populations = ["E", "I"]
"""

# (case id, text to replace, replacement, substrings the one-line message must contain)
CASES = [
    ("unknown key", 'size = "n"', 'size = "n"\nsizee = 3', ["bad.toml", "populations[0].sizee", "unknown key", "allowed:"]),
    ("unknown top-level table", "[simulation]", "[simulaton]\n[simulation]", ["bad.toml", "simulaton", "allowed:"]),
    ("wrong type", "size = 25", "size = true", ["bad.toml", "populations[1].size", "integer"]),
    ("wrong type of name", 'name = "I"', "name = 3", ["bad.toml", "populations[1].name", "string"]),
    ("negative size", "size = 25", "size = -25", ["bad.toml", "populations[1].size", "-25"]),
    ("probability above 1", "p = 0.1", "p = 1.5", ["bad.toml", "projections[1].p", "0 <= p <= 1"]),
    ("probability below 0", "p = 0.1", "p = -0.1", ["bad.toml", "projections[1].p", "0 <= p <= 1"]),
    ("delay below dt", "delay = 0.5", "delay = 0.05", ["bad.toml", "projections[1].delay", "dt"]),
    ("delay not a multiple of dt", "delay = 0.5", "delay = 0.55", ["bad.toml", "projections[1].delay", "multiple"]),
    ("indegree above the source without multapses", "indegree = 10\nmultapses = true",
     "indegree = 1000\nmultapses = false", ["bad.toml", "projections[0].indegree", "1000", "multapses"]),
    ("unknown population", 'target = "E"', 'target = "X"', ["bad.toml", "projections[1].target", "X", "E, I"]),
    ("unknown neuron model", 'model = "iaf_psc_exp"', 'model = "hh_psc_alpha"', ["bad.toml", "populations[1].model", "iaf_psc_delta"]),
    ("negative rate", "rate = 20000.0", "rate = -1.0", ["bad.toml", "inputs[0].rate"]),
    ("expression naming an unknown parameter", 'size = "n"', 'size = "m * 2"', ["bad.toml", "populations[0].size", "m"]),
    ("negative dt", "dt = 0.1", "dt = -0.1", ["bad.toml", "simulation.dt"]),
]


def write_model(tmp_path: Path, old: str, new: str) -> Path:
    assert old in GOOD, old
    path = tmp_path / "bad.toml"
    path.write_text(GOOD.replace(old, new, 1))
    return path


def expect_bad_input(result, out: Path | None, *needles: str) -> None:
    assert result.returncode == 2, f"exit code {result.returncode}\n{result.stdout}\n{result.stderr}"
    errors = [line for line in result.stderr.splitlines() if line.startswith("hetspike: error:")]
    assert len(errors) == 1, f"one error line expected, on rank 0 only:\n{result.stderr}"
    for needle in needles:
        assert needle in errors[0], f"{needle!r} not in: {errors[0]}"
    if out is not None:
        assert not out.exists() or not any(out.iterdir()), f"outputs left behind: {list(out.iterdir())}"


def test_the_good_model_runs(tmp_path):
    path = write_model(tmp_path, "n = 100", "n = 100")
    r = hetspike("run", path, "--out", tmp_path / "out", "--no-progress", ranks=2)
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "out" / "spikes.h5").exists()


@pytest.mark.parametrize("case,old,new,needles", CASES, ids=[c[0] for c in CASES])
def test_bad_model_file(tmp_path, case, old, new, needles):
    path = write_model(tmp_path, old, new)
    out = tmp_path / "out"
    expect_bad_input(hetspike("run", path, "--out", out, ranks=2), out, *needles)
    expect_bad_input(hetspike("check", path, ranks=2), None, *needles)


def test_missing_model_file(tmp_path):
    out = tmp_path / "out"
    expect_bad_input(hetspike("run", tmp_path / "nope.toml", "--out", out, ranks=2), out, "nope.toml", "cannot open")


def test_unwritable_output_directory(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    expect_bad_input(hetspike("run", BRUNEL, "--out", blocker / "out", ranks=2), None, "--out", str(blocker / "out"))


def test_unknown_parameter_override(tmp_path):
    out = tmp_path / "out"
    expect_bad_input(hetspike("run", BRUNEL, "--set", "ordr=5", "--out", out, ranks=2), out, "brunel.toml", "--set",
                     "ordr", "order")


def test_bad_command_line(tmp_path):
    r = hetspike("run", BRUNEL, "--t-sim", "soon", ranks=2)
    assert r.returncode == 2
    assert "--t-sim" in r.stderr


def test_a_rank_failing_mid_run_stops_the_whole_job(tmp_path):
    out = tmp_path / "out"
    env_args = {"HETSPIKE_FAULT_INJECT": "1:500"}
    from conftest import mpi_env
    env = mpi_env()
    env.update(env_args)
    r = hetspike("run", BRUNEL, "--set", "order=200", "--out", out, "--no-progress", ranks=3, env=env, timeout=120)
    assert r.returncode != 0
    assert "hetspike: rank 1: fatal: injected fault" in r.stderr
    # Nothing half-written under a final name.
    assert not (out / "spikes.h5").exists() and not (out / "report.json").exists()
