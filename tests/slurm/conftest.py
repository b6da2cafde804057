"""Shared helpers of the Slurm tests: a real Slurm cluster on loopback (slurm_cluster.sh), started once per
test file and always stopped with every process it started, and ways to submit jobs and wait for them that can
never hang the test run (a wait that runs out fails the test with the cluster's state)."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

HERE = Path(__file__).resolve().parent
SOURCE_DIR = Path(os.environ.get("HETSPIKE_SOURCE_DIR", HERE.parents[1]))
sys.path.insert(0, str(SOURCE_DIR / "tests" / "e2e"))
from sonata_read import read_spikes  # noqa: E402

BIN = Path(os.environ.get("HETSPIKE_BIN", SOURCE_DIR / "build" / "apps" / "hetspike")).resolve()
MPIEXEC = os.environ.get("MPIEXEC") or "mpiexec"
BRUNEL = SOURCE_DIR / "apps" / "models" / "brunel.toml"
JOBSCRIPTS = SOURCE_DIR / "jobscripts"
CLUSTER_SCRIPT = HERE / "slurm_cluster.sh"
SMALL = ["--set", "order=500", "--no-progress"]
FINAL_STATES = {"COMPLETED", "FAILED", "CANCELLED", "TIMEOUT", "NODE_FAIL", "OUT_OF_MEMORY", "BOOT_FAIL",
                "DEADLINE", "PREEMPTED"}


def base_env() -> dict[str, str]:
    env = dict(os.environ)
    env.update(OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
               OMPI_MCA_rmaps_base_oversubscribe="1", OMPI_MCA_hwloc_base_binding_policy="none",
               HETSPIKE=str(BIN))
    return env


def kill_session(sid: int) -> None:
    """SIGKILL to every process of a session. mpiexec puts each rank in a process group of its own, so killing
    mpiexec's group would leave the ranks running; they stay in its session."""
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, IndexError, ValueError):
            # Fields after the command name, which may hold spaces: state, ppid, pgrp, session, ...
            if int(stat.read_text().rsplit(")", 1)[1].split()[3]) == sid:
                os.kill(int(stat.parent.name), signal.SIGKILL)


def run_in_session(cmd: list[str], timeout: float, **kwargs) -> subprocess.CompletedProcess:
    """subprocess.run(cmd, capture_output=True, text=True) in a session of its own; on a timeout every process of
    the session is killed (not only cmd: mpiexec's ranks too) before TimeoutExpired is raised."""
    with subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
                          **kwargs) as proc:
        try:
            out, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            kill_session(proc.pid)
            proc.communicate()
            raise
    return subprocess.CompletedProcess(cmd, proc.returncode, out, err)


def mpirun(*args, ranks: int, cwd: Path, timeout: float = 120) -> subprocess.CompletedProcess:
    """hetspike under mpiexec, outside Slurm: the reference the Slurm runs are compared with."""
    cmd = [MPIEXEC, "-n", str(ranks), str(BIN), *[str(a) for a in args]]
    r = run_in_session(cmd, timeout, env=base_env(), cwd=cwd)
    assert r.returncode == 0, f"{' '.join(cmd)} failed:\n{r.stdout}\n{r.stderr}"
    return r


@dataclass
class JobRecord:
    """One line of jobcomp.log: a job (or one run of a requeued job) that has ended."""
    job_id: str
    state: str
    exit_code: str
    fields: dict[str, str]


class Cluster:
    def __init__(self, directory: Path):
        self.dir = directory
        self.env = base_env()
        self.env["SLURM_CONF"] = str(directory / "slurm.conf")

    def run(self, *cmd, timeout: float = 60, cwd: Path | None = None, env: dict | None = None,
            check: bool = False) -> subprocess.CompletedProcess:
        """A command against the cluster; one that does not end in time fails the test with diagnostics()."""
        full_env = dict(self.env, **(env or {}))
        try:
            r = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, timeout=timeout, cwd=cwd,
                               env=full_env)
        except subprocess.TimeoutExpired:
            pytest.fail(f"{' '.join(map(str, cmd))} did not end in {timeout} s\n{self.diagnostics(cwd=cwd)}")
        if check:
            assert r.returncode == 0, f"{' '.join(map(str, cmd))} failed ({r.returncode}):\n{r.stdout}\n{r.stderr}"
        return r

    def submit(self, *args, cwd: Path, env: dict | None = None) -> str:
        r = self.run("sbatch", "--parsable", *args, cwd=cwd, env=env, check=True)
        return r.stdout.strip().split(";")[0]

    def submit_and_wait(self, *args, cwd: Path, env: dict | None = None, timeout: float = 120
                        ) -> tuple[str, int, str]:
        """sbatch --wait: (job id, exit status, sbatch's own output). The job is cancelled if it overruns."""
        cmd = ["sbatch", "--wait", *map(str, args)]
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=cwd,
                                env=dict(self.env, **(env or {})))
        try:
            out, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, err = proc.communicate()
            job = re.search(r"Submitted batch job (\d+)", out)
            job_id = job.group(1) if job else None
            # The state of the hung job first; cancelling it changes that state.
            state = self.diagnostics(job_id, cwd)
            if job_id:
                self.run("scancel", job_id)
            pytest.fail(f"sbatch --wait {' '.join(map(str, args))} did not end in {timeout} s\n{out}{err}\n{state}")
        job = re.search(r"Submitted batch job (\d+)", out)
        return (job.group(1) if job else ""), proc.returncode, out + err

    def records(self) -> list[JobRecord]:
        path = self.dir / "jobcomp.log"
        result = []
        for line in path.read_text().splitlines() if path.exists() else []:
            fields = dict(re.findall(r"(\w+)=(\S*)", line))
            result.append(JobRecord(fields.get("JobId", ""), fields.get("JobState", ""), fields.get("ExitCode", ""),
                                    fields))
        return result

    def final_record(self, job: str) -> JobRecord | None:
        """The last jobcomp.log line of a job whose state is final (a requeued job has earlier lines too)."""
        for rec in reversed(self.records()):
            if rec.job_id == job and rec.state in FINAL_STATES:
                return rec
        return None

    def wait_ended(self, job: str, timeout: float = 120, cwd: Path | None = None) -> JobRecord:
        """Waits until Slurm has recorded the job's end; fails the test (cancelling the job) on a timeout."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            rec = self.final_record(job)
            if rec is not None:
                return rec
            time.sleep(0.5)
        state = self.diagnostics(job, cwd)
        self.run("scancel", job)
        pytest.fail(f"job {job} did not end in {timeout} s\n{state}")

    def array_records(self, array_job: str) -> list[JobRecord]:
        return [r for r in self.records() if r.fields.get("ArrayJobId") == array_job and r.state in FINAL_STATES]

    def queue(self) -> str:
        return self.run("squeue", "-h", "-o", "%i %T %r").stdout.strip()

    def diagnostics(self, job: str | None = None, cwd: Path | None = None) -> str:
        """What a failing or timed-out test shows: the queue with its steps, the nodes, the job (if given), the
        finished jobs, the cluster's processes, the last lines of the daemons' logs and of the job's own log
        (a *JOB*.log in cwd). Never raises and never waits long: the cluster may be what hangs."""
        commands = [["squeue", "-a"], ["squeue", "-a", "--steps"], ["sinfo", "-N", "-l"]]
        if job:
            commands.append(["scontrol", "show", "job", job])
        commands.append([str(CLUSTER_SCRIPT), "ps", str(self.dir)])
        parts = [self._command_output(cmd) for cmd in commands]
        parts.append("jobcomp.log:\n" + "\n".join(f"{r.job_id} {r.state} {r.exit_code}" for r in self.records()))
        logs = sorted((self.dir / "log").glob("*.log"))
        if job and cwd:
            logs += sorted(Path(cwd).glob(f"*{job}*.log"))
        parts += [tail(log, 30) for log in logs]
        return "\n\n".join(parts)

    def _command_output(self, cmd: list[str]) -> str:
        try:
            r = subprocess.run(cmd, capture_output=True, text=True, timeout=15, env=self.env)
            return f"$ {' '.join(cmd)}\n{r.stdout}{r.stderr}".rstrip()
        except (OSError, subprocess.TimeoutExpired) as e:
            return f"$ {' '.join(cmd)}\n({e})"


def tail(path: Path, lines: int) -> str:
    try:
        text = "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError as e:
        text = f"({e})"
    return f"{path.name} (last {lines} lines):\n{text}"


def cluster_processes(directory: Path) -> list[str]:
    """The processes of the cluster in directory still running, as "pid command" lines: those that carry its
    SLURM_CONF in their environment (daemons, slurmstepd, and every process of its jobs inherit it). Read here
    independently of slurm_cluster.sh, to check what its stop left."""
    mark = f"SLURM_CONF={directory}/slurm.conf".encode()
    found = []
    for proc in Path("/proc").glob("[0-9]*"):
        with contextlib.suppress(OSError):
            # A zombie's environment reads empty: only processes still running match.
            if mark in (proc / "environ").read_bytes().split(b"\0"):
                command = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
                found.append(f"{proc.name} {command}")
    return found


def stop_cluster(directory: Path) -> None:
    """slurm_cluster.sh stop: cancels every job, stops the daemons and ends every process the cluster left. Fails
    loudly (keeping the directory and its logs) if any process of the cluster is still running afterwards."""
    r = subprocess.run([str(CLUSTER_SCRIPT), "stop", str(directory)], capture_output=True, text=True, timeout=150)
    left = cluster_processes(directory)
    if r.returncode != 0 or left:
        pytest.fail(f"stopping the test cluster left processes behind (logs kept in {directory}):\n{r.stderr}"
                    + "".join(f"\n{p}" for p in left))
    shutil.rmtree(directory, ignore_errors=True)


def start_cluster(nodes: int = 1, cred_expire: int | None = None):
    """Starts a cluster in a new short directory under /tmp; yields it; always stops it (stop_cluster)."""
    directory = Path(tempfile.mkdtemp(prefix="hs-slurm-", dir="/tmp"))
    command = [str(CLUSTER_SCRIPT), "start", str(directory), "--nodes", str(nodes), "--owner", str(os.getpid())]
    if cred_expire is not None:
        command += ["--cred-expire", str(cred_expire)]
    try:
        r = subprocess.run(command, capture_output=True, text=True, timeout=90)
        if r.returncode != 0:
            pytest.fail(f"the test cluster did not start:\n{r.stdout}\n{r.stderr}")
        yield Cluster(directory)
    finally:
        stop_cluster(directory)


@pytest.fixture(scope="module")
def cluster(request):
    """A Slurm cluster for one test file. A file sets SLURM_NODES = N for N pretend nodes, and SLURM_CRED_EXPIRE
    for a launch credential lifetime shorter than Slurm's 120 s (see slurm_cluster.sh: only for a requeue)."""
    yield from start_cluster(getattr(request.module, "SLURM_NODES", 1),
                             getattr(request.module, "SLURM_CRED_EXPIRE", None))


def spike_count(path: Path) -> int:
    return sum(len(ids) for ids, _ in read_spikes(path).values())


def sorted_spike_list(path: Path) -> np.ndarray:
    """All spikes of a SONATA file as rows (population index, node id, time in ms), sorted: two runs are the
    same run if these arrays are equal (read with libsonata and h5py both)."""
    spikes = read_spikes(path)
    rows = [np.column_stack([np.full(ids.shape, i, dtype=np.float64), ids.astype(np.float64), times])
            for i, (ids, times) in enumerate(spikes[name] for name in sorted(spikes))]
    table = np.concatenate(rows) if rows else np.zeros((0, 3))
    return table[np.lexsort((table[:, 1], table[:, 2], table[:, 0]))]
