"""Stopping a test cluster ends every process it started, also those that outlive their job and the daemons: a
process that left its job's process tree (scancel reaches only slurmstepd's descendants) and a job step whose
slurmstepd answers nothing (as 22.05's mpi/pmix leaves one, deadlocked in its fini, when the other component of a
heterogeneous step never started). Left running, such processes outlived the test run by many minutes."""

from __future__ import annotations

import os
import signal
import time

import pytest

from conftest import cluster_processes, start_cluster

LEAVES_PROCESSES = """#!/bin/bash
# A process that is no longer a descendant of the job's slurmstepd once the subshell has gone.
(setsid sleep 600 < /dev/null > /dev/null 2>&1 &)
srun sleep 600
"""


def wait_for_processes(cluster, *names: str, timeout: float = 60) -> list[str]:
    """The cluster's processes ("pid command") once there is one whose command starts with each of names."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = cluster_processes(cluster.dir)
        if all(any(p.split(" ", 1)[1].startswith(name) for p in found) for name in names):
            return found
        time.sleep(0.2)
    pytest.fail(f"no processes {names} after {timeout} s\n{cluster.diagnostics()}")


def test_stop_ends_every_process_of_the_cluster_even_a_hung_step(tmp_path):
    script = tmp_path / "leaves-processes.sbatch"
    script.write_text(LEAVES_PROCESSES)
    clusters = start_cluster()
    cluster = next(clusters)
    try:
        job = cluster.submit(script, cwd=tmp_path)
        found = wait_for_processes(cluster, f"slurmstepd: [{job}.0]", "sleep 600", "/usr/bin/sleep 600")
        step = next(int(p.split()[0]) for p in found if p.split(" ", 1)[1].startswith(f"slurmstepd: [{job}.0]"))
        os.kill(step, signal.SIGSTOP)  # the step's slurmstepd answers nothing from now on: scancel cannot end it
    finally:
        clusters.close()  # stop_cluster: fails the test if any process of the cluster is still running
    assert cluster_processes(cluster.dir) == []
