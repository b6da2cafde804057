"""Pathological sizes of otherwise valid input (issue 15, item 4), through the real binary under mpiexec on 2 ranks
(and 3 where ranks matter). What is bounded is refused where it is read, by run and by check, in one short line
that names the file, the key and what is allowed, with nothing created; what is valid runs in linear time. Every
case has a time limit that turns a hang, or time that grows with the square of the size, into a failure: the sizes
are those at which the code before these bounds crashed or took minutes."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import h5py
import pytest

from conftest import HANG_LIMIT, expect_refused, hetspike

SIZE_LIMIT = 60  # seconds for a valid model of the sizes below; each takes a few on 2 busy cores

SMALL = """
[simulation]
dt = 0.1
t_sim = 5.0

[[populations]]
name = "E"
model = "iaf_psc_alpha"
size = 10
"""


def model(parameters: str = "", tables: str = "") -> str:
    """SMALL with `parameters` as its [parameters] table and `tables` after it."""
    return "[parameters]\n" + parameters + SMALL + tables


def expression(text: str) -> str:
    return model(f'a = 1\nx = "{text}"\n')


def inputs(count: int, rate: str = "100.0", target: str = '"E"') -> str:
    return f'[[inputs]]\ntarget = {target}\ntype = "poisson"\nrate = {rate}\nweight = 1.0\n' * count


def names(name: str, count: int) -> str:
    return "[" + ",".join([f'"{name}"'] * count) + "]"


def chain(n: int, reverse: bool = False) -> str:
    """n parameters, each naming the one before: p0 = 1, p1 = "p0 + 1", ..."""
    lines = ["p0 = 1\n"] + [f'p{i} = "p{i - 1} + 1"\n' for i in range(1, n)]
    return "".join(reversed(lines) if reverse else lines)


def populations(count: int) -> str:
    """`count` populations of one neuron each, each projecting into the next, all recorded."""
    pops = "".join(f'[[populations]]\nname = "P{i}"\nmodel = "iaf_psc_alpha"\nsize = 1\n' for i in range(count))
    projs = "".join(f'[[projections]]\nsource = "P{i}"\ntarget = "P{(i + 1) % count}"\nrule = "one_to_one"\n'
                    f'weight = 1.0\ndelay = 1.0\n' for i in range(count))
    return pops + projs + "[[recorders]]\npopulations = " + str([f"P{i}" for i in range(count)]).replace("'", '"')


def projections(lists: int, per_list: int) -> str:
    return ('[[projections]]\nsource = "E"\ntarget = ' + names("E", per_list) +
            '\nrule = "one_to_one"\nweight = 1.0\ndelay = 1.0\n') * lists


# --- 1. Too large, too deep, too many: refused when the model is read, by run and by check -------------------------

# (case id, model text, substrings of the message besides the file's name)
REFUSED = [
    ("parentheses 10^4 deep", lambda: expression("(" * 10**4 + "1" + ")" * 10**4),
     ["parameters.x", "nests deeper than 200 levels", "allowed: at most 200 nested parentheses"]),
    ("a unary minus chain 10^4 long", lambda: expression("-" * 10**4 + "1"),
     ["parameters.x", "nests deeper than 200 levels", "allowed: at most 200"]),
    ("an expression of 10^5 terms", lambda: expression("+".join(["a"] * 10**5)),
     ["parameters.x", "(199999 characters)", "199999 characters long; allowed: at most 65536 characters"]),
    ("a number of 60,000 digits", lambda: expression("1" * 60000),
     ["parameters.x", "the number 1111", "(60000 characters) is out of range; allowed: what a double holds"]),
    ("a TOML integer of 10^5 digits", lambda: model("x = " + "1" * 10**5 + "\n"),
     [":2:5:", "cannot exceed 126 characters"]),
    ("a dotted key of 10^5 parts", lambda: model("x" + ".a" * 10**5 + " = 1\n"),
     [":2:200003:", "nest 100002 levels deep here; allowed: at most 64 levels"]),
    ("a table header 10^5 deep", lambda: model() + "[parameters" + ".a" * 10**5 + "]\n",
     [":11:1:", "nest 100001 levels deep here; allowed: at most 64 levels"]),
    ("arrays nested 10^5 deep", lambda: model("x = " + "[" * 10**5 + "1" + "]" * 10**5 + "\n"),
     [":2:67:", "nest 65 levels deep here; allowed: at most 64 levels"]),
    ("inline tables nested 10^5 deep", lambda: model("x = " + "{a = " * 10**5 + "1" + "}" * 10**5 + "\n"),
     ["nest 65 levels deep here; allowed: at most 64 levels"]),
    ("a model file of 65 MiB", lambda: model() + ("#" + "x" * 1022 + "\n") * (65 * 1024),
     ["the file holds 68157", "bytes or more; allowed: at most 67108864 bytes (64 MiB)"]),
    ("16,385 populations", lambda: model("", populations(16384)),
     ["populations[16384]: makes 16385 populations; allowed: at most 16384 populations"]),
    ("a list of 262,145 targets", lambda: model("", projections(1, 262145)),
     ["projections[0].target: a list of 262145 names; allowed: at most 262144 names"]),
    ("262,145 projections from lists of targets", lambda: model("", projections(4, 65536) + projections(1, 1)),
     ["projections[4].target[0]: makes 262145 projections; allowed: at most 262144 projections",
      "a list of targets counts one each"]),
    ("65,537 inputs", lambda: model("", inputs(1, target=names("E", 65536)) + inputs(1)),
     ["inputs[1].target: makes 65537 inputs; allowed: at most 65536 inputs"]),
    ("Poisson inputs of 10^7 spikes a step in all", lambda: model("", inputs(101, rate="1e9")),
     ["inputs[100].rate", "draw 10100000 spikes per step", "allowed: at most 1e+07 in all"]),
    ("a value of 10^6 characters", lambda: model("", '[[inputs]]\ntarget = "E"\ntype = "' + "x" * 10**6 + '"\n'),
     ["inputs[0].type: unknown input type", 'xxx" (1000000 characters); allowed: "poisson" or "dc"']),
    ("an unknown name among 10^5 parameters",
     lambda: model("".join(f"p{i} = {i}\n" for i in range(10**5)) + 'x = "nope + 1"\n'),
     ["parameters.x: unknown name 'nope'", "parameters: p0, p1, p2", ", ... (100001 in all)"]),
    ("a cycle of 10^4 parameters",
     lambda: model("".join(f'p{i} = "p{(i + 1) % 10**4}"\n' for i in range(10**4))),
     ["parameters.p0: circular definition: p0 -> p1", "... (10000 parameters) -> ", "p9999 -> p0"]),
]


@pytest.mark.parametrize("case,text,needles", REFUSED, ids=[c[0] for c in REFUSED])
def test_a_model_too_large_deep_or_many_is_refused_when_read(tmp_path, case, text, needles):
    path = tmp_path / "sizes.toml"
    path.write_text(text())
    out = tmp_path / "out"
    line = expect_refused(hetspike("run", path, "--out", out, "--no-progress", ranks=2, timeout=HANG_LIMIT), 2,
                          f"hetspike: error: {path}", *needles)
    assert len(line) < 600, line
    assert not out.exists(), "refused before anything is created"
    assert expect_refused(hetspike("check", path, ranks=2, timeout=HANG_LIMIT), 2, str(path), *needles) == line


def test_an_endless_model_file_is_read_no_further_than_the_limit(tmp_path):
    out = tmp_path / "out"
    expect_refused(hetspike("run", "/dev/zero", "--out", out, ranks=2, timeout=HANG_LIMIT), 2, "/dev/zero: the file",
                   "allowed: at most 67108864 bytes")
    assert not out.exists()


def test_an_expression_of_10_5_characters_in_set_is_refused(tmp_path):
    path = tmp_path / "sizes.toml"
    path.write_text(model("x = 1\n"))
    value = "+".join(["1"] * 50000)
    line = expect_refused(hetspike("check", path, "--set", f"x={value}", ranks=2, timeout=HANG_LIMIT), 2,
                          f"{path}: --set x=1+1+1", "(100001 characters)", "allowed: at most 65536 characters")
    assert len(line) < 600, line


def test_check_refuses_the_blocks_a_rank_could_not_hold_at_once(tmp_path):
    # 20 projections into 2e9 neurons, half on rank 0: 305,180 blocks of 65,536 targets where the build allows
    # 65,535. The estimate computed a law for each (in quadratic time, more than 100 s, before it was banded).
    path = tmp_path / "sizes.toml"
    path.write_text(SMALL + '[[populations]]\nname = "T"\nmodel = "iaf_psc_alpha"\nsize = 2000000000\n' +
                    '[[projections]]\nsource = "E"\ntarget = ' + names("T", 20) +
                    '\nrule = "fixed_indegree"\nindegree = 1\nweight = 1.0\ndelay = 1.0\n')
    expect_refused(hetspike("check", path, ranks=2, timeout=HANG_LIMIT), 2,
                   "population E projects into 305180 blocks of up to 65,536 targets on one rank",
                   "allowed: at most 65535")


# --- 2. Large but valid: read and run in linear time ------------------------------------------------------------

# (case id, model text, parameters the report must give)
VALID = [
    ("a sum of 32,000 terms", lambda: expression("+".join(["a"] * 32000)), {"x": 32000}),
    ("a product of 32,000 factors", lambda: model('x = "' + "*".join(["1"] * 32000) + '"\n'), {"x": 1}),
    ("4,000 distinct names in one expression",
     lambda: model("".join(f"a{i} = {i}\n" for i in range(4000)) +
                   'x = "' + "+".join(f"a{i}" for i in range(4000)) + '"\n'), {"x": 4000 * 3999 // 2}),
    ("10^5 parameters in a chain", lambda: model(chain(10**5)), {"p99999": 10**5}),
    ("10^5 parameters in a chain written in reverse", lambda: model(chain(10**5, reverse=True)), {"p99999": 10**5}),
    ("10^5 parameters", lambda: model("".join(f"p{i} = {i}\n" for i in range(10**5))), {"p99999": 99999}),
]


@pytest.mark.parametrize("case,text,expected", VALID, ids=[c[0] for c in VALID])
def test_a_large_valid_model_runs(tmp_path, case, text, expected):
    path = tmp_path / "sizes.toml"
    path.write_text(text())
    out = tmp_path / "out"
    r = hetspike("run", path, "--out", out, "--no-progress", ranks=2, timeout=SIZE_LIMIT)
    assert r.returncode == 0, r.stderr[-2000:]
    parameters = json.loads((out / "report.json").read_text())["parameters"]
    for name, value in expected.items():
        assert parameters[name] == value


@pytest.mark.parametrize("ranks", [2, 3])
def test_ten_thousand_populations_run(tmp_path, ranks):
    path = tmp_path / "sizes.toml"
    path.write_text(SMALL.replace('name = "E"', 'name = "E0"') + populations(10**4))
    out = tmp_path / "out"
    r = hetspike("run", path, "--t-sim", "1", "--out", out, "--no-progress", ranks=ranks, timeout=SIZE_LIMIT)
    assert r.returncode == 0, r.stderr[-2000:]
    rep = json.loads((out / "report.json").read_text())
    assert rep["neurons"] == 10**4 + 10 and len(rep["populations"]) == 10**4 + 1
    with h5py.File(out / "spikes.h5") as f:
        assert len(f["spikes"]) == 10**4


def test_a_population_name_of_10_5_characters_runs(tmp_path):
    name = "P" * 10**5
    path = tmp_path / "sizes.toml"
    path.write_text(model("", f'[[populations]]\nname = "{name}"\nmodel = "iaf_psc_alpha"\nsize = 1\n'
                              f'[[recorders]]\npopulations = "{name}"\n'))
    out = tmp_path / "out"
    r = hetspike("run", path, "--out", out, "--no-progress", ranks=2, timeout=SIZE_LIMIT)
    assert r.returncode == 0, r.stderr[-2000:]
    with h5py.File(out / "spikes.h5") as f:
        assert list(f["spikes"]) == [name]


def test_two_thousand_set_options_apply(tmp_path):
    path = tmp_path / "sizes.toml"
    path.write_text(model("".join(f"p{i} = 0\n" for i in range(2000))))
    sets = [a for i in range(2000) for a in ("--set", f"p{i}={i}+1")]
    out = tmp_path / "out"
    r = hetspike("run", path, *sets, "--out", out, "--no-progress", ranks=2, timeout=SIZE_LIMIT)
    assert r.returncode == 0, r.stderr[-2000:]
    assert json.loads((out / "report.json").read_text())["parameters"]["p1999"] == 2000


# --- 3. Paths every rank hands to MPI-IO: at most 235 characters, checked before anything is created ------------

def path_of_length(base: Path, length: int, component: int = 200) -> Path:
    """A path under `base` of exactly `length` characters, in components of at most `component` characters."""
    path = str(base)
    while len(path) < length:
        path += "/" + "d" * min(component, length - len(path) - 1)
    assert len(path) == length, (path, length)
    return Path(path)


# (case id, --out length (None: short), --checkpoint-dir length (None: the default, OUT/checkpoints; 0: short),
# substrings of the message)
TOO_LONG = [
    ("--out one character too long for the spike file", 218, 0,
     ["--out", "the spike file would be", "(236 characters); allowed: at most 235 characters", "--out of at most 217"]),
    ("--out one character too long for its checkpoints", 187, None,
     ["--out", "a checkpoint would be", "(236 characters)", "--out of at most 186 characters"]),
    ("--checkpoint-dir one character too long", None, 199,
     ["--checkpoint-dir", "a checkpoint would be", "(236 characters)", "--checkpoint-dir of at most 198 characters"]),
    ("--out of 4,000 characters", 4000, None, ["--out", "(4000 characters)", "--out of at most 217 characters"]),
    ("--out with a component longer than NAME_MAX", 400, None, ["--out", "(400 characters)", "at most 217"]),
]


@pytest.mark.parametrize("ranks", [2, 3])
@pytest.mark.parametrize("case,out_length,checkpoint_length,needles", TOO_LONG, ids=[c[0] for c in TOO_LONG])
def test_a_path_too_long_for_mpi_io_is_refused_before_anything_is_created(tmp_path, case, out_length,
                                                                           checkpoint_length, needles, ranks):
    path = tmp_path / "sizes.toml"
    path.write_text(model())
    base = tmp_path / "p"
    base.mkdir()
    component = 300 if "NAME_MAX" in case else 200
    out = path_of_length(base, out_length, component) if out_length else base / "out"
    options = ["--out", out, "--checkpoint-every", "2", "--no-progress"]
    if checkpoint_length is not None:
        options += ["--checkpoint-dir", path_of_length(base, checkpoint_length) if checkpoint_length else base / "c"]
    r = hetspike("run", path, *options, ranks=ranks, timeout=HANG_LIMIT)
    line = expect_refused(r, 2, *needles)
    assert len(line) < 700, line
    assert "neurons" not in r.stdout, "refused before the network is built"
    assert not any(base.iterdir()), "nothing created"


@pytest.mark.parametrize("ranks", [2, 3])
def test_paths_of_235_characters_take_spikes_and_checkpoints(tmp_path, ranks):
    path = tmp_path / "sizes.toml"
    path.write_text(model("", '[[recorders]]\npopulations = "E"\n'))
    base = tmp_path / "p"
    for out, checkpoints in [(path_of_length(base, 186), None), (path_of_length(base / "q", 217),
                                                                 path_of_length(base / "r", 198))]:
        options = ["--checkpoint-dir", checkpoints] if checkpoints else []
        r = hetspike("run", path, "--out", out, "--checkpoint-every", "2", *options, "--no-progress", ranks=ranks,
                     timeout=HANG_LIMIT)
        assert r.returncode == 0, r.stderr[-2000:]
        assert (out / "spikes.h5").is_file()
        assert list((checkpoints or out / "checkpoints").glob("checkpoint-*.h5"))


def test_a_checkpoint_under_a_path_too_long_for_mpi_io_is_not_resumed(tmp_path):
    path = tmp_path / "sizes.toml"
    path.write_text(model())
    first = tmp_path / "first"
    r = hetspike("run", path, "--out", first, "--checkpoint-every", "2", "--no-progress", ranks=2, timeout=HANG_LIMIT)
    assert r.returncode == 0, r.stderr
    moved = path_of_length(tmp_path / "p", 230)
    moved.parent.mkdir(parents=True)
    shutil.move(first / "checkpoints", moved)
    out = tmp_path / "out"
    expect_refused(hetspike("run", "--resume", moved, "--t-sim", "6", "--out", out, ranks=2, timeout=HANG_LIMIT), 2,
                   "--resume", "the checkpoint would be", "allowed: at most 235 characters", "--resume of at most")
    assert not out.exists()
