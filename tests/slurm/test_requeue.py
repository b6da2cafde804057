"""jobscripts/hetspike-requeue.sbatch under a real Slurm: SIGUSR1 to the batch shell mid-run (what Slurm's
`--signal=B:USR1@120` does before the time limit) makes hetspike checkpoint and stop, the script requeues the
job, the requeued job resumes from the checkpoint, and the final spike list is exactly an uninterrupted run's:
no spike lost, none repeated."""

from __future__ import annotations

import json
import time

import numpy as np
import pytest

from conftest import BRUNEL, JOBSCRIPTS, SMALL, mpirun, sorted_spike_list

REQUEUE = JOBSCRIPTS / "hetspike-requeue.sbatch"
# Slurm holds a requeued job for the launch credential's lifetime (120 s by default): 5 s restarts it at once.
# The price is that a launch later than 5 s after its step was created is refused ("Job credential expired"); the
# step here is not heterogeneous, so that fails the job at once instead of hanging it (slurm_cluster.sh).
SLURM_CRED_EXPIRE = 5
T_SIM = "3000"  # about 1.5 s on 2 ranks; the signal comes after the first checkpoint, at 500 ms


def test_sigusr1_checkpoints_requeues_and_resumes_without_losing_a_spike(cluster, tmp_path):
    mpirun("run", BRUNEL, *SMALL, "--t-sim", T_SIM, "--out", tmp_path / "straight", ranks=2, cwd=tmp_path)

    job = cluster.submit("--ntasks=2", REQUEUE, BRUNEL, *SMALL, "--t-sim", T_SIM, cwd=tmp_path,
                         env={"OUT": "out", "CHECKPOINT_EVERY": "500"})
    out = tmp_path / "out"
    deadline = time.monotonic() + 60
    while not list((out / "checkpoints").glob("checkpoint-*.h5")):
        if time.monotonic() > deadline:
            pytest.fail(f"job {job} wrote no checkpoint in 60 s\n{cluster.diagnostics(job, tmp_path)}")
        time.sleep(0.1)
    # As Slurm does for --signal=B:USR1: signal the batch shell only; it passes the signal on to the step.
    cluster.run("scancel", "--signal=USR1", "--batch", job, check=True)

    record = cluster.wait_ended(job, timeout=120, cwd=tmp_path)
    log = (tmp_path / f"hetspike-{job}.log").read_text()
    assert (record.state, record.exit_code) == ("COMPLETED", "0:0"), f"{record}\n{log}"
    assert "got SIGUSR1" in log and "requeueing" in log, log
    assert "(restart 1): resuming from the newest checkpoint" in log, log
    assert "hetspike: continuing from step" in log, log
    runs = [r for r in cluster.records() if r.job_id == job]
    assert len(runs) == 2, f"expected one requeue, jobcomp.log has {[(r.state, r.exit_code) for r in runs]}"

    report = json.loads((out / "report.json").read_text())
    stopped_at = report["resumed_from_step"]
    assert 0 < stopped_at < float(T_SIM) * 10, "the job was not stopped mid-run"
    straight = json.loads((tmp_path / "straight" / "report.json").read_text())
    assert (report["spikes"], report["spike_hash"]) == (straight["spikes"], straight["spike_hash"])
    resumed, reference = sorted_spike_list(out / "spikes.h5"), sorted_spike_list(tmp_path / "straight" / "spikes.h5")
    assert len(np.unique(resumed, axis=0)) == len(resumed), "the requeued job repeated spikes"
    np.testing.assert_array_equal(resumed, reference)
