"""Hostile and careless input, one table per class of defect (issue 15), through the real binary under mpiexec
on 2 and 3 ranks: each case asserts the exit code, the one-line message and what the output directory holds
afterwards, with a time limit that turns a hang into a failure."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path

import h5py
import pytest

from conftest import BIN, BRUNEL, HANG_LIMIT, MPIEXEC, SOURCE_DIR, expect_refused, hetspike, mpi_env

STDP_SMALL = SOURCE_DIR / "tests" / "e2e" / "models" / "stdp_small.toml"


def wait_for_the_build(proc: subprocess.Popen) -> None:
    """Returns once the run has passed its checks at the start: its first line names the model and its size."""
    line = proc.stdout.readline()
    assert "neurons" in line, (line, proc.communicate())


# --- 1. An output that cannot be written: refused before the build, or agreed by every rank at the end ----------

# (case id, model, the output's name in --out, what is put there)
UNUSABLE_OUTPUTS = [
    ("report is a directory", BRUNEL, "report.json", "dir"),
    ("spike file is a directory", BRUNEL, "spikes.h5", "dir"),
    ("weight file is a directory", STDP_SMALL, "weights.h5", "dir"),
    ("partial report is a directory", BRUNEL, "report.json.partial", "dir"),
    ("report is a dangling link", BRUNEL, "report.json", "link"),
]


@pytest.mark.parametrize("ranks", [2, 3])
@pytest.mark.parametrize("case,model,name,kind", UNUSABLE_OUTPUTS, ids=[c[0] for c in UNUSABLE_OUTPUTS])
def test_an_unusable_output_name_is_refused_before_the_build(tmp_path, case, model, name, kind, ranks):
    out = tmp_path / "out"
    out.mkdir()
    blocker = out / name
    if kind == "dir":
        (blocker / "sub").mkdir(parents=True)
    else:
        blocker.symlink_to(tmp_path / "nowhere")
    smaller = ["--set", "order=100"] if model == BRUNEL else []
    r = hetspike("run", model, *smaller, "--out", out, "--no-progress", ranks=ranks, timeout=HANG_LIMIT)
    final = name.removesuffix(".partial")
    expect_refused(r, 2, str(out / final), name, "allowed:")
    assert "neurons" not in r.stdout, "refused before the network is built"
    left = sorted(p.name for p in out.iterdir())
    assert left == [name], f"only the blocker may be there: {left}"
    if kind == "dir":
        assert (blocker / "sub").is_dir()


@pytest.mark.parametrize("ranks", [2, 3])
def test_an_output_that_becomes_unwritable_during_the_run_stops_every_rank(tmp_path, ranks):
    # Passes the check at the start; a directory appears under the report's name while the network simulates.
    out = tmp_path / "out"
    cmd = [MPIEXEC, "-n", str(ranks), BIN, "run", str(BRUNEL), "--set", "order=500", "--t-sim", "3000", "--out",
           str(out), "--no-progress"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=mpi_env())
    wait_for_the_build(proc)
    (out / "report.json" / "sub").mkdir(parents=True)
    try:
        stdout, stderr = proc.communicate(timeout=HANG_LIMIT)
    except subprocess.TimeoutExpired:
        proc.kill()
        pytest.fail("the job hung after rank 0 failed to write the report")
    result = subprocess.CompletedProcess(cmd, proc.returncode, stdout, stderr)
    expect_refused(result, 2, "run report", str(out / "report.json"))
    assert (out / "spikes.h5").is_file(), "the spikes computed are kept"
    assert not (out / "report.json.partial").exists()


# --- 3. Signals stay handled until the process ends --------------------------------------------------------------


def test_signals_after_the_checkpoint_never_kill_a_rank(tmp_path):
    # SIGUSR1 to every rank again and again from mid-run until the job has ended: the first stops the run with a
    # checkpoint; the others arrive while it writes, finishes and finalises MPI. Every rank must still exit 3, the
    # code the requeue job script acts on (a rank killed by the signal exits 138).
    out = tmp_path / "out"
    cmd = [MPIEXEC, "-n", "2", BIN, "run", str(BRUNEL), "--set", "order=500", "--t-sim", "5000", "--out", str(out),
           "--no-progress"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=mpi_env())
    wait_for_the_build(proc)
    deadline = time.monotonic() + HANG_LIMIT
    ranks = [int(p) for p in subprocess.run(["pgrep", "-P", str(proc.pid)], capture_output=True,
                                            text=True).stdout.split()]
    assert len(ranks) == 2, ranks
    sent = 0
    while proc.poll() is None and time.monotonic() < deadline:
        for pid in ranks:
            try:
                os.kill(pid, signal.SIGUSR1)
                sent += 1
            except ProcessLookupError:
                pass
        time.sleep(0.002)
    stdout, stderr = proc.communicate(timeout=HANG_LIMIT)
    assert proc.returncode == 3, f"exit code {proc.returncode} after {sent} signals\n{stdout}\n{stderr}"
    assert "stopped by signal 10" in stdout
    assert sent > 20
    rep = json.loads((out / "report.json").read_text())
    assert rep["stopped"] and rep["checkpoints"], rep


# --- 2. Every rank must have been given the same model and options -----------------------------------------------

# (case id, rank 0's extra arguments, the other ranks', what the message must name)
DIFFERENT_INPUTS = [
    ("another t_sim", ["--t-sim", "100"], ["--t-sim", "200"], ["simulation.t_sim = 100", "simulation.t_sim = 200"]),
    ("another order", [], ["--set", "order=120"], ["parameters.order = 2500", "parameters.order = 120"]),
    ("another seed", ["--seed", "1"], ["--seed", "2"], ["seed = 1", "seed = 2"]),
    ("another checkpoint interval", ["--checkpoint-every", "50"], [], ["--checkpoint-every 50"]),
]


@pytest.mark.parametrize("ranks", [2, 3])
@pytest.mark.parametrize("case,first,others,needles", DIFFERENT_INPUTS, ids=[c[0] for c in DIFFERENT_INPUTS])
def test_ranks_given_different_inputs_refuse_to_start(tmp_path, case, first, others, needles, ranks):
    # mpiexec's multi-program form: rank 0 gets one command line, the others another.
    out = tmp_path / "out"
    common = ["run", str(BRUNEL), "--out", str(out), "--no-progress"]
    cmd = [MPIEXEC, "-n", "1", BIN, *common, *first, ":", "-n", str(ranks - 1), BIN, *common, *others]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=HANG_LIMIT, env=mpi_env())
    line = expect_refused(r, 2, "rank 1 was started with other model or options than rank 0", "first difference",
                          *needles)
    assert "allowed: the same on every rank" in line
    assert not out.exists() or not any(out.iterdir()), "refused before anything is written"


# --- 7. Numbers that would overflow a count are refused where they are read, by run and by check -----------------

SMALL = """
[simulation]
dt = 0.1
t_sim = 20.0

[[populations]]
name = "E"
model = "iaf_psc_alpha"
size = 50
params = { t_ref = 2.0 }

[[projections]]
source = "E"
target = "E"
rule = "fixed_indegree"
indegree = 5
weight = 10.0
delay = 1.5

[[inputs]]
target = "E"
type = "poisson"
rate = 8000.0
weight = 10.0

[[recorders]]
populations = "E"
"""

# (case id, text replaced, replacement, extra arguments, substrings of the message)
OVERFLOWS = [
    ("t_sim of 1e18 ms", "t_sim = 20.0", "t_sim = 1e18", [], ["simulation.t_sim", "1e+19 steps", "allowed: at most"]),
    ("--t-sim 1e18", "", "", ["--t-sim", "1e18"], ["--t-sim", "allowed: at most"]),
    ("dt too small for t_sim", "dt = 0.1", "dt = 1e-12", [], ["simulation.t_sim", "steps of dt = 1e-12 ms"]),
    ("t_ref of 1e17 ms", "t_ref = 2.0", "t_ref = 1e17", [], ["populations[0].params.t_ref", "32-bit"]),
    ("Poisson rate of 1e13 Hz", "rate = 8000.0", "rate = 1e13", [], ["inputs[0].rate", "spikes per step", "1e+09 Hz"]),
    ("Poisson rate of 1e300 Hz", "rate = 8000.0", "rate = 1e300", [], ["inputs[0].rate", "allowed: at most"]),
    # 9. check and run apply the store's delay limits alike, when the model is read.
    ("drawn delays beyond 8 bits", "delay = 1.5", 'delay = { distribution = "uniform", low = 1.0, high = 30.0 }', [],
     ["projections[0].delay", "300 steps", "at most 255 steps"]),
    ("normal delays that reach beyond 8 bits", "delay = 1.5", 'delay = { distribution = "normal", mean = 5.0, std = 3.0 }',
     [], ["projections[0].delay", "35 ms", "at most 255 steps", "max"]),
    ("a constant delay beyond 16 bits", "delay = 1.5", "delay = 7000.0", [],
     ["projections[0].delay", "70000 steps", "at most 65535 steps"]),
]


@pytest.mark.parametrize("case,old,new,extra,needles", OVERFLOWS, ids=[c[0] for c in OVERFLOWS])
def test_numbers_that_overflow_a_count_are_refused(tmp_path, case, old, new, extra, needles):
    model = tmp_path / "small.toml"
    model.write_text(SMALL.replace(old, new, 1) if old else SMALL)
    out = tmp_path / "out"
    expect_refused(hetspike("run", model, *extra, "--out", out, ranks=2, timeout=HANG_LIMIT), 2, "small.toml",
                   *needles)
    assert not out.exists() or not any(out.iterdir())
    expect_refused(hetspike("check", model, *extra, ranks=2, timeout=HANG_LIMIT), 2, *needles)


def test_the_small_model_itself_runs(tmp_path):
    model = tmp_path / "small.toml"
    model.write_text(SMALL)
    r = hetspike("run", model, "--out", tmp_path / "out", "--no-progress", ranks=2, timeout=HANG_LIMIT)
    assert r.returncode == 0, r.stderr
    assert json.loads((tmp_path / "out" / "report.json").read_text())["spikes"] > 0


# --- 6. A checkpoint whose header fails a checksum is never used --------------------------------------------------

BRUNEL_SMALL = ["--set", "order=100"]


def checkpointed_run(out: Path, *extra: str) -> list[Path]:
    r = hetspike("run", BRUNEL, *BRUNEL_SMALL, "--t-sim", "100", "--checkpoint-every", "50", "--keep", "3", *extra,
                 "--out", out, "--no-progress", ranks=2, timeout=HANG_LIMIT)
    assert r.returncode == 0, r.stderr
    return sorted((out / "checkpoints").glob("checkpoint-*.h5"))


def damage(checkpoint: Path, dataset: str, old: bytes, new: bytes) -> None:
    """Changes a byte of a string dataset as a disk or a careless edit would: its checksum attribute stays."""
    assert len(old) == len(new)
    import h5py
    import numpy as np
    with h5py.File(checkpoint, "r+") as f:
        data = f[dataset][()]
        text = np.asarray(data).tobytes()
        assert old in text, (dataset, text[:200])
        changed = np.frombuffer(text.replace(old, new, 1), dtype=np.asarray(data).dtype).reshape(np.shape(data))
        f[dataset][...] = changed


# (case id, dataset, bytes replaced, replacement)
DAMAGED_HEADERS = [
    ("t_sim in the stored model source", "/model/source", b"t_sim = 1", b"t_sim = 2"),
    ("the stored canonical text", "/model/text", b"dt = 0.1", b"dt = 0.2"),
    ("the list of contents", "/contents", b"/state", b"/stat_"),
]


@pytest.mark.parametrize("case,dataset,old,new", DAMAGED_HEADERS, ids=[c[0] for c in DAMAGED_HEADERS])
def test_a_checkpoint_with_a_damaged_header_is_never_used(tmp_path, case, dataset, old, new):
    out = tmp_path / "out"
    older, newest = checkpointed_run(out)[-2:]
    damage(newest, dataset, old, new)
    # Named: refused, without the model file too.
    for model in ([BRUNEL, *BRUNEL_SMALL], []):
        r = hetspike("run", *model, "--t-sim", "150", "--resume", newest, "--out", out, ranks=2, timeout=HANG_LIMIT)
        expect_refused(r, 2, newest.name, dataset, "checksum mismatch")
    # A directory: the damaged one is passed over for the older intact one.
    r = hetspike("run", "--t-sim", "150", "--resume", out / "checkpoints", "--out", out, "--no-progress", ranks=2,
                 timeout=HANG_LIMIT)
    assert r.returncode == 0, r.stderr
    assert newest.name in r.stderr and "trying an older checkpoint" in r.stderr
    assert json.loads((out / "report.json").read_text())["resumed_from_step"] == int(older.stem.split("-")[1])


# --- 9. A rank that cannot hold its part is refused, by check as by the start of run, before anything is built ----

HUGE_NEURONS = ["--set", "order=2e9"]  # 1e10 neurons: 5e9 per rank on 2 ranks, more than 32-bit local ids count
HUGE_SYNAPSES = ["--set", "order=2e6"]  # 1e7 neurons, 1e13 synapses: terabytes per rank
# (case id, command and its arguments after the model, ranks, substrings of the message after the model's name)
RANKS_THAT_CANNOT_HOLD_THEIR_PART = [
    ("check: neurons per rank", ["check", *HUGE_NEURONS, "--ranks", "2"], 1,
     ["rank 0 would hold 5000000000 neurons", "allowed: at most 4294967295"]),
    ("run: neurons per rank", ["run", *HUGE_NEURONS], 2,
     ["rank 0 would hold 5000000000 neurons", "allowed: at most 4294967295", "run on more ranks"]),
    ("check: memory per rank", ["check", *HUGE_SYNAPSES, "--ranks", "2"], 1,
     ["rank 0 of 2 needs an estimated", "TiB at its peak", "5e+12 synapses", "allowed: at most",
      "per rank (this node's"]),
    ("run: memory per rank", ["run", *HUGE_SYNAPSES], 2,
     ["rank 0 of 2 needs an estimated", "TiB at its peak", "over its 2 ranks", "allowed: at most"]),
    ("run: --memory-per-rank", ["run", "--memory-per-rank", "10MiB"], 2,
     ["rank 0 of 2 needs an estimated", "allowed: at most 10.0 MiB per rank (--memory-per-rank 10MiB)"]),
    ("run: an emulated rank", ["run", "--emulate-ranks", "4", "--emulated-rate", "*=5", "--memory-per-rank", "5MiB"],
     1, ["rank 0 of 4 (emulated) needs an estimated", "allowed: at most 5.0 MiB"]),
    ("check: --memory-per-rank", ["check", "--memory-per-rank", "1MiB"], 2,
     ["rank 0 of 2 needs an estimated", "allowed: at most 1.0 MiB per rank"]),
]


@pytest.mark.parametrize("case,args,ranks,needles", RANKS_THAT_CANNOT_HOLD_THEIR_PART,
                         ids=[c[0] for c in RANKS_THAT_CANNOT_HOLD_THEIR_PART])
def test_a_rank_that_cannot_hold_its_part_is_refused_before_the_build(tmp_path, case, args, ranks, needles):
    command, *rest = args
    out = ["--out", tmp_path / "out", "--no-progress"] if command == "run" else []
    start = time.monotonic()
    r = hetspike(command, BRUNEL, *rest, *out, ranks=ranks, timeout=HANG_LIMIT)
    expect_refused(r, 2, f"error: {BRUNEL}: ", *needles)
    assert time.monotonic() - start < 30, "refused from the estimate, not after building"
    assert "OK" not in r.stdout
    assert not (tmp_path / "out").exists(), "nothing is created for a run that cannot start"


def test_a_memory_per_rank_that_is_not_a_size_is_refused_and_a_fitting_one_passes(tmp_path):
    expect_refused(hetspike("check", BRUNEL, "--memory-per-rank", "lots", ranks=2, timeout=HANG_LIMIT), 2,
                   "--memory-per-rank: 'lots' is not a size", "allowed: a size > 0 such as 2GiB")
    r = hetspike("check", BRUNEL, "--memory-per-rank", "2GiB", ranks=2, timeout=HANG_LIMIT)
    assert r.returncode == 0 and r.stdout.rstrip().endswith("OK"), r.stdout + r.stderr


# --- 8. An --out holding another run's results is not silently replaced -------------------------------------------


def test_a_new_run_refuses_an_out_holding_another_runs_results(tmp_path):
    out = tmp_path / "out"
    first = checkpointed_run(out)
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    r = hetspike("run", BRUNEL, *BRUNEL_SMALL, "--t-sim", "50", "--out", out, ranks=2, timeout=HANG_LIMIT)
    expect_refused(r, 2, str(out), "another run", "spikes.h5", "report.json", first[-1].name, "--overwrite")
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()} == before, "nothing touched"
    # --overwrite: the earlier run's results go, its checkpoints too (they would be taken for this run's).
    r = hetspike("run", BRUNEL, *BRUNEL_SMALL, "--t-sim", "50", "--out", out, "--overwrite", "--no-progress",
                 ranks=2, timeout=HANG_LIMIT)
    assert r.returncode == 0, r.stderr
    assert not list((out / "checkpoints").glob("checkpoint-*.h5"))
    assert json.loads((out / "report.json").read_text())["end_step"] == 500


def test_a_resumed_run_refuses_an_out_holding_another_runs_spikes(tmp_path):
    theirs, mine = tmp_path / "theirs", tmp_path / "mine"
    checkpoints = checkpointed_run(mine)
    checkpointed_run(theirs)
    spikes = (theirs / "spikes.h5").read_bytes()
    r = hetspike("run", BRUNEL, *BRUNEL_SMALL, "--t-sim", "150", "--resume", checkpoints[-1], "--out", theirs,
                 ranks=2, timeout=HANG_LIMIT)
    expect_refused(r, 2, str(theirs), "another run", "spikes.h5", "--overwrite")
    assert (theirs / "spikes.h5").read_bytes() == spikes
    r = hetspike("run", BRUNEL, *BRUNEL_SMALL, "--t-sim", "150", "--resume", checkpoints[-1], "--out", theirs,
                 "--overwrite", "--no-progress", ranks=2, timeout=HANG_LIMIT)
    assert r.returncode == 0, r.stderr


# --- 10. A run resumed without its model file keeps the seed it was started with -----------------------------------


def test_a_resume_without_the_model_file_keeps_the_seed(tmp_path):
    straight, out = tmp_path / "straight", tmp_path / "out"
    r = hetspike("run", BRUNEL, *BRUNEL_SMALL, "--seed", "7", "--t-sim", "100", "--out", straight, "--no-progress",
                 ranks=2, timeout=HANG_LIMIT)
    assert r.returncode == 0, r.stderr
    checkpoints = checkpointed_run(out, "--seed", "7")
    r = hetspike("run", "--t-sim", "100", "--resume", checkpoints[0], "--out", out, "--no-progress", ranks=2,
                 timeout=HANG_LIMIT)
    assert r.returncode == 0, r.stderr
    resumed, whole = (json.loads((d / "report.json").read_text()) for d in (out, straight))
    assert resumed["seed"] == 7 and resumed["spike_hash"] == whole["spike_hash"]


# --- 11. Command-line errors in the same one-line form as model errors ------------------------------------------

# (case id, arguments after the model, substrings of the message)
BAD_OPTIONS = [
    ("--keep 0", ["--keep", "0"], ["--keep", "'0' is not a count", "allowed: a whole number from 1 to 1000000"]),
    ("--keep -3", ["--keep", "-3"], ["--keep", "allowed: a whole number from 1"]),
    ("--checkpoint-every nan", ["--checkpoint-every", "nan"], ["--checkpoint-every", "'nan' is not a time",
                                                               "allowed: 0"]),
    ("--checkpoint-every -1", ["--checkpoint-every", "-1"], ["--checkpoint-every", "allowed: 0"]),
    ("--checkpoint-every inf", ["--checkpoint-every", "inf"], ["--checkpoint-every", "allowed: 0"]),
    # Values CLI11 cannot convert: the same form, not its "Could not convert"
    ("--t-sim soon", ["--t-sim", "soon"], ["--t-sim", "'soon' is not a time", "allowed: a time >= 0 ms"]),
    ("--t-sim 1e400", ["--t-sim", "1e400"], ["--t-sim", "allowed: a time >= 0 ms"]),
    ("--seed -1", ["--seed", "-1"], ["--seed", "'-1' is not a seed", "allowed: a whole number from 0 to 4294967295"]),
    ("--seed 2^32", ["--seed", "4294967296"], ["--seed", "allowed: a whole number from 0 to 4294967295"]),
    ("--emulate-ranks many", ["--emulate-ranks", "many"], ["--emulate-ranks", "'many' is not a rank count",
                                                           "allowed: a whole number from 1"]),
    ("--as-rank 1.5", ["--emulate-ranks", "4", "--as-rank", "1.5"], ["--as-rank", "'1.5' is not a rank"]),
]


@pytest.mark.parametrize("case,args,needles", BAD_OPTIONS, ids=[c[0] for c in BAD_OPTIONS])
def test_bad_options_are_refused_in_one_short_line(tmp_path, case, args, needles):
    out = tmp_path / "out"
    line = expect_refused(hetspike("run", BRUNEL, *args, "--out", out, ranks=2, timeout=HANG_LIMIT), 2, *needles)
    assert len(line) < 250, line
    assert not out.exists()


def test_check_refuses_a_rank_count_that_is_not_one():
    line = expect_refused(hetspike("check", BRUNEL, "--ranks", "1e3", ranks=2, timeout=HANG_LIMIT), 2,
                          "--ranks", "'1e3' is not a rank count", "allowed: a whole number from 1")
    assert "Could not convert" not in line


def test_help_is_hetspikes_alone():
    for args in (["--help"], ["run", "--help"], ["check", "-h"]):
        r = hetspike(*args, timeout=HANG_LIMIT)
        assert r.returncode == 0, r.stderr
        assert "Kokkos" not in r.stdout + r.stderr and "Usage" in r.stdout, r.stdout


# --- 11. Where `first` limits recording, the report's statistics are the recorded neurons' and it says so --------

def test_statistics_of_populations_recorded_in_part_are_those_of_the_recorded_neurons(tmp_path):
    sampled = tmp_path / "brunel_first.toml"
    text = BRUNEL.read_text()
    assert text.count('populations = ["E", "I"]\n') == 1
    sampled.write_text(text.replace('populations = ["E", "I"]\n', 'populations = ["E", "I"]\nfirst = 40\n'))
    common = ["--set", "order=200", "--t-sim", "300", "--no-progress"]
    whole = hetspike("run", BRUNEL, *common, "--out", tmp_path / "whole", ranks=3, timeout=HANG_LIMIT)
    part = hetspike("run", sampled, *common, "--out", tmp_path / "part", ranks=3, timeout=HANG_LIMIT)
    assert whole.returncode == 0 and part.returncode == 0, whole.stderr + part.stderr
    rep_whole = json.loads((tmp_path / "whole" / "report.json").read_text())
    rep = json.loads((tmp_path / "part" / "report.json").read_text())
    # The network and its spikes are the same: recording changes neither the count of all spikes nor the hash.
    assert (rep["spikes"], rep["spike_hash"]) == (rep_whole["spikes"], rep_whole["spike_hash"])
    with h5py.File(tmp_path / "part" / "spikes.h5", "r") as f:
        in_file = {name: f["spikes"][name]["node_ids"][...] for name in f["spikes"]}
    assert rep["recorded_spikes"] == sum(len(ids) for ids in in_file.values()) < rep["spikes"]
    window_s = 0.3
    for pop, pop_whole in zip(rep["populations"], rep_whole["populations"]):
        name = pop["name"]
        assert (pop["recorded"], pop["counted"], pop_whole["counted"]) == (40, 40, pop_whole["size"])
        assert in_file[name].max() < 40
        assert pop["spikes"] == len(in_file[name]) > 0
        assert pop["rate_hz"] == pytest.approx(pop["spikes"] / 40 / window_s, rel=1e-12)
        assert pop["neurons_with_cv"] <= 40
    assert rep_whole["recorded_spikes"] == rep_whole["spikes"]
    assert "Rates and CVs of the recorded neurons only: E first 40 of 800, I first 40 of 200" in part.stdout
    assert "recorded neurons only" not in whole.stdout


# --- 5. Weights the fixed-point input sum cannot resolve are refused; the report states the worst error --------


def test_weights_too_far_apart_for_the_fixed_point_sum_are_refused(tmp_path):
    # g = 1e10 makes the inhibitory weight -1e9 next to J = 0.1: in a sum scaled to 1e9, 0.1 rounds to 0.
    out = tmp_path / "out"
    far_apart = ["--set", "order=100", "--set", "g=1e10"]
    needles = ["a weight of 0.1 into population E", "off by 100%", "1e+09", "allowed: a relative error of at most"]
    expect_refused(hetspike("run", BRUNEL, *far_apart, "--out", out, ranks=2, timeout=HANG_LIMIT), 2, *needles)
    assert not out.exists() or not (out / "spikes.h5").exists()
    expect_refused(hetspike("check", BRUNEL, *far_apart, ranks=2, timeout=HANG_LIMIT), 2, *needles)
    # A usual model runs, and its report says how finely its weights are summed.
    r = hetspike("run", BRUNEL, "--set", "order=100", "--t-sim", "20", "--out", out, "--no-progress", ranks=2,
                 timeout=HANG_LIMIT)
    assert r.returncode == 0, r.stderr
    resolution = json.loads((out / "report.json").read_text())["weight_resolution"]
    assert 0 < resolution["max_relative_error"] < 1e-6, resolution
    assert resolution["population"] in ("E", "I") and resolution["where"].startswith("projections[")
