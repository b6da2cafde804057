"""jobscripts/hetspike-run.sbatch under a real Slurm: `sbatch --wait` with 2 tasks finishes, and its SONATA file
and report are valid and the same as a run under mpiexec."""

from __future__ import annotations

import json

import numpy as np

from conftest import BRUNEL, JOBSCRIPTS, SMALL, mpirun, sorted_spike_list, spike_count

RUN = JOBSCRIPTS / "hetspike-run.sbatch"


def test_two_tasks_write_a_valid_spike_file_and_report(cluster, tmp_path):
    job, rc, out = cluster.submit_and_wait("--ntasks=2", RUN, BRUNEL, *SMALL, "--t-sim", "200",
                                           cwd=tmp_path, env={"OUT": "out/single"})
    log = (tmp_path / f"hetspike-{job}.log").read_text()
    assert rc == 0, f"{out}\n{log}"
    assert "2 ranks x 1 threads" in log
    record = cluster.wait_ended(job)
    assert (record.state, record.exit_code) == ("COMPLETED", "0:0")

    run = tmp_path / "out" / "single"
    report = json.loads((run / "report.json").read_text())
    assert report["ranks"] == 2 and len(report["per_rank"]) == 2
    assert report["neurons"] == 2500 and report["t_sim"] == 200.0
    assert not report["stopped"]
    # read_spikes checks the SONATA layout and that libsonata and h5py read the same spikes.
    assert spike_count(run / "spikes.h5") == report["spikes"] > 0
    assert sum(p["spikes"] for p in report["populations"]) == report["spikes"]

    # The same run outside Slurm, on another rank count, gives the same spikes (the reproducibility contract).
    mpirun("run", BRUNEL, *SMALL, "--t-sim", "200", "--out", tmp_path / "reference", ranks=1, cwd=tmp_path)
    reference = json.loads((tmp_path / "reference" / "report.json").read_text())
    assert report["spike_hash"] == reference["spike_hash"]
    np.testing.assert_array_equal(sorted_spike_list(run / "spikes.h5"),
                                  sorted_spike_list(tmp_path / "reference" / "spikes.h5"))


def test_threads_follow_cpus_per_task_and_checkpoints_go_where_asked(cluster, tmp_path):
    job, rc, out = cluster.submit_and_wait("--ntasks=1", "--cpus-per-task=2", RUN, BRUNEL, *SMALL,
                                           "--t-sim", "100", cwd=tmp_path,
                                           env={"OUT": "run", "CHECKPOINT_EVERY": "50", "CHECKPOINT_DIR": "ck"})
    log = (tmp_path / f"hetspike-{job}.log").read_text()
    assert rc == 0, f"{out}\n{log}"
    assert "1 ranks x 2 threads" in log
    report = json.loads((tmp_path / "run" / "report.json").read_text())
    assert report["checkpoints"], "CHECKPOINT_EVERY wrote no checkpoint"
    assert list((tmp_path / "ck").glob("checkpoint-*.h5"))


def test_heterogeneous_example_is_a_valid_request(cluster, tmp_path):
    """The GPU + CPU heterogeneous job script parses and fits this cluster (it runs in test_hetjob.py)."""
    r = cluster.run("sbatch", "--test-only", JOBSCRIPTS / "hetspike-het.sbatch", BRUNEL, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "to start at" in r.stderr
