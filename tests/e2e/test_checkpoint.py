"""Checkpoint and restart through the real binary (issue: resume bit for bit on any number of ranks, survive
kills and corrupt files). The reference is one uninterrupted run; every interrupted-and-resumed run must give
the same sorted spike list, the same spike hash and the same report totals."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import h5py
import pytest

from conftest import BIN, BRUNEL, MPIEXEC, hetspike, mpi_env, report, run_ok, sorted_spike_list

SMALL = ["--set", "order=500", "--no-progress"]


@pytest.fixture(scope="module")
def straight(tmp_path_factory):
    """Uninterrupted runs to compare against: 400 ms and 3000 ms."""
    out = {}
    for t in (400, 3000):
        d = tmp_path_factory.mktemp(f"straight{t}")
        run_ok("run", BRUNEL, *SMALL, "--t-sim", str(t), "--out", d, ranks=2)
        out[t] = d
    return out


def same_run(resumed: Path, reference: Path) -> None:
    a, b = sorted_spike_list(resumed / "spikes.h5"), sorted_spike_list(reference / "spikes.h5")
    assert a.shape == b.shape and (a == b).all(), f"{a.shape} spikes vs {b.shape}"
    ra, rb = report(resumed), report(reference)
    for key in ("spikes", "spike_hash", "synapses", "synaptic_events"):
        assert ra[key] == rb[key], key
    assert [p["rate_hz"] for p in ra["populations"]] == [p["rate_hz"] for p in rb["populations"]]
    assert [p["cv_isi"] for p in ra["populations"]] == [p["cv_isi"] for p in rb["populations"]]


def interrupted(tmp_path: Path, first_ranks: int, second_ranks: int) -> Path:
    out = tmp_path / "out"
    run_ok("run", BRUNEL, *SMALL, "--t-sim", "150", "--checkpoint-every", "150", "--out", out, ranks=first_ranks)
    assert report(out)["checkpoints"], "the first run wrote no checkpoint"
    r = run_ok("run", BRUNEL, *SMALL, "--t-sim", "400", "--resume", out / "checkpoints", "--out", out,
               ranks=second_ranks)
    assert "continuing from step 1500" in r.stdout
    assert report(out)["resumed_from_step"] == 1500
    return out


@pytest.mark.parametrize("first,second", [(1, 1), (2, 3), (4, 1), (3, 2)])
def test_resume_on_another_rank_count_is_bitwise_identical(tmp_path, straight, first, second):
    same_run(interrupted(tmp_path, first, second), straight[400])


def test_resume_from_a_file_without_the_model_file(tmp_path, straight):
    out = tmp_path / "out"
    run_ok("run", BRUNEL, *SMALL, "--t-sim", "150", "--checkpoint-every", "150", "--out", out, ranks=2)
    checkpoint = report(out)["checkpoints"][-1]
    run_ok("run", "--resume", checkpoint, "--t-sim", "400", "--out", out, "--no-progress", ranks=2)
    same_run(out, straight[400])


def rank_pids(launcher: subprocess.Popen) -> list[int]:
    """The hetspike processes that mpiexec started."""
    r = subprocess.run(["pgrep", "-P", str(launcher.pid)], capture_output=True, text=True)
    return [int(p) for p in r.stdout.split()]


def test_sigusr1_checkpoints_stops_and_resumes(tmp_path, straight):
    out = tmp_path / "out"
    args = [MPIEXEC, "-n", "2", BIN, "run", BRUNEL, *SMALL, "--t-sim", "3000", "--checkpoint-every", "500",
            "--out", str(out)]
    launcher = subprocess.Popen([str(a) for a in args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                env=mpi_env())
    deadline = time.time() + 60
    while not list((out / "checkpoints").glob("checkpoint-*.h5")) and time.time() < deadline:
        time.sleep(0.02)
    pids = rank_pids(launcher)
    assert pids, "no rank processes found"
    os.kill(pids[-1], signal.SIGUSR1)  # one rank only: all ranks agree at the next interval boundary
    stdout, stderr = launcher.communicate(timeout=120)
    assert launcher.returncode == 3, f"{launcher.returncode}\n{stdout}\n{stderr}"
    assert "stopped by signal 10" in stdout  # rank 0 names the signal the other rank received
    rep = report(out)
    assert rep["stopped"] and rep["end_step"] < 30000
    assert rep["checkpoints"] and rep["checkpoints"][-1].endswith(f"checkpoint-{rep['end_step']:012d}.h5")
    # The automatic resume, as the requeue job script does it: the same command with --resume.
    run_ok("run", BRUNEL, *SMALL, "--t-sim", "3000", "--checkpoint-every", "500", "--out", out,
           "--resume", out / "checkpoints", ranks=2)
    same_run(out, straight[3000])


def test_a_different_model_is_refused_naming_the_first_difference(tmp_path):
    out = tmp_path / "out"
    run_ok("run", BRUNEL, *SMALL, "--t-sim", "100", "--checkpoint-every", "100", "--out", out, ranks=2)
    r = hetspike("run", BRUNEL, *SMALL, "--set", "g=4.5", "--t-sim", "200", "--resume", out / "checkpoints",
                 "--out", out, ranks=2)
    assert r.returncode == 2, r.stderr
    line = [l for l in r.stderr.splitlines() if l.startswith("hetspike: error:")][0]
    assert "checkpoint-000000001000.h5" in line and "another network" in line and "first difference" in line
    assert "weight" in line and "-0.5" in line and "-0.45" in line, line


def test_other_spike_recorders_are_refused_and_the_spike_file_kept(tmp_path):
    # Recorders are not part of the model hash, but the spike file continues population by population from the
    # checkpoint's counts: a resume that records other populations must stop before it touches the file.
    out = tmp_path / "out"
    run_ok("run", BRUNEL, *SMALL, "--t-sim", "100", "--checkpoint-every", "100", "--out", out, ranks=2)
    only_e = tmp_path / "only_e.toml"
    only_e.write_text(BRUNEL.read_text().replace('populations = ["E", "I"]', 'populations = ["E"]'))
    assert only_e.read_text() != BRUNEL.read_text()
    before = (out / "spikes.h5").read_bytes()
    r = hetspike("run", only_e, *SMALL, "--t-sim", "200", "--resume", out / "checkpoints", "--out", out, ranks=2)
    assert r.returncode == 2, r.stderr
    line = [l for l in r.stderr.splitlines() if l.startswith("hetspike: error:")][0]
    assert "checkpoint-000000001000.h5" in line and "recorded the spikes of E, I" in line, line
    assert "spike recorders record E;" in line and "must be those of the run that wrote the checkpoint" in line
    assert (out / "spikes.h5").read_bytes() == before


def checkpoints_of(out: Path) -> list[Path]:
    return sorted((out / "checkpoints").glob("checkpoint-*.h5"))


def two_checkpoints(tmp_path: Path) -> Path:
    out = tmp_path / "out"
    run_ok("run", BRUNEL, *SMALL, "--t-sim", "150", "--checkpoint-every", "75", "--out", out, ranks=2)
    assert [p.name for p in checkpoints_of(out)] == ["checkpoint-000000000750.h5", "checkpoint-000000001500.h5"]
    return out


def flip_a_byte_inside(path: Path, dataset: str) -> None:
    with h5py.File(path, "r") as f:
        offset = f[dataset].id.get_offset()  # contiguous data
    with open(path, "r+b") as f:
        f.seek(offset + 8)
        byte = f.read(1)
        f.seek(offset + 8)
        f.write(bytes([byte[0] ^ 0x40]))


def damage(kind: str, path: Path) -> str:
    """Damages a checkpoint; returns what the error must name."""
    if kind == "truncated":
        with open(path, "r+b") as f:
            f.truncate(path.stat().st_size // 2)
        return path.name
    if kind == "flipped byte":
        flip_a_byte_inside(path, "/state/populations/E/V_rel")
        return "populations/E/V_rel"
    if kind == "missing dataset":
        with h5py.File(path, "r+") as f:
            del f["/state/populations/I/refractory"]
        return "populations/I/refractory"
    if kind == "not HDF5":
        path.write_text("this is not an HDF5 file\n")
        return path.name
    raise ValueError(kind)


@pytest.mark.parametrize("kind", ["truncated", "flipped byte", "missing dataset", "not HDF5"])
def test_damaged_newest_checkpoint(tmp_path, straight, kind):
    out = two_checkpoints(tmp_path)
    newest = checkpoints_of(out)[-1]
    needle = damage(kind, newest)
    # Resuming that file alone: one clear error naming the file and the dataset, exit code 2.
    r = hetspike("run", BRUNEL, *SMALL, "--t-sim", "400", "--resume", newest, "--out", tmp_path / "other", ranks=2)
    assert r.returncode == 2, r.stderr
    errors = [l for l in r.stderr.splitlines() if l.startswith("hetspike: error:")]
    assert len(errors) == 1 and newest.name in errors[0] and needle in errors[0], r.stderr
    # `inspect` says so too.
    r = hetspike("inspect", newest)
    assert r.returncode == 2, r.stdout + r.stderr
    # Resuming the directory falls back to the older checkpoint, says so, and still ends bit for bit equal.
    r = run_ok("run", BRUNEL, *SMALL, "--t-sim", "400", "--resume", out / "checkpoints", "--out", out, ranks=2)
    assert "warning" in r.stderr and newest.name in r.stderr and "older checkpoint" in r.stderr
    assert "continuing from step 750" in r.stdout
    same_run(out, straight[400])


def test_inspect_describes_a_checkpoint(tmp_path):
    out = two_checkpoints(tmp_path)
    r = run_ok("inspect", checkpoints_of(out)[-1])
    text = r.stdout
    for needle in ("1500", "150", report(out)["model_hash"], "checksums: OK", "populations/E/V_rel"):
        assert needle in text, needle
    assert "ranks" in text.lower()


def test_rank_killed_while_writing_a_checkpoint(tmp_path, straight):
    out = tmp_path / "out"
    env = mpi_env()
    env["HETSPIKE_KILL_DURING_CHECKPOINT"] = "1:3"
    r = hetspike("run", BRUNEL, *SMALL, "--t-sim", "400", "--checkpoint-every", "50", "--keep", "5", "--out", out,
                 ranks=2, env=env, timeout=120)
    assert r.returncode != 0
    # Checkpoints fall on the first interval boundary (d_min = 15 steps) at or after each 50 ms.
    names = [p.name for p in checkpoints_of(out)]
    assert names == ["checkpoint-000000000510.h5", "checkpoint-000000001005.h5"], names
    assert not (out / "spikes.h5").exists()  # the killed run never finished its spike file
    run_ok("run", BRUNEL, *SMALL, "--t-sim", "400", "--resume", out / "checkpoints", "--out", out, ranks=2)
    same_run(out, straight[400])


RECORD_FEW = BRUNEL.read_text().replace("[[recorders]]", "[[recorders]]\nfirst = 5", 1)


def test_out_of_disk_space_while_writing(tmp_path):
    """Full-size Brunel (a 2 MB checkpoint) recording 5 neurons per population (a small spike file); a file
    size limit set inside the ranks (on mpiexec itself it breaks MPI's shared-memory set-up)."""
    model = tmp_path / "brunel_few.toml"
    model.write_text(RECORD_FEW)
    out = tmp_path / "out"
    run_ok("run", model, "--no-progress", "--t-sim", "150", "--checkpoint-every", "150", "--out", out, ranks=2)
    first = checkpoints_of(out)
    assert len(first) == 1 and first[0].stat().st_size > 1_800_000
    assert [p["recorded"] for p in report(out)["populations"]] == [5, 5]
    command = " ".join(str(a) for a in [BIN, "run", model, "--no-progress", "--t-sim", "400", "--checkpoint-every",
                                         "100", "--resume", out / "checkpoints", "--out", out])
    r = subprocess.run([MPIEXEC, "-n", "2", "bash", "-c", f"ulimit -f 1500; exec {command}"], capture_output=True,
                       text=True, env=mpi_env(), timeout=300)
    assert r.returncode == 2, r.stdout + r.stderr
    errors = [l for l in r.stderr.splitlines() if l.startswith("hetspike: error:")]
    assert len(errors) == 1 and "checkpoint" in errors[0] and "earlier checkpoints are untouched" in errors[0], r.stderr
    assert checkpoints_of(out) == first and not list((out / "checkpoints").glob(".*partial"))
    assert "checksums: OK" in run_ok("inspect", first[0]).stdout
