"""Bad use of the job scripts under a real Slurm: each mistake fails the job (or the submission) with a message
that says what is wrong, in the job's log, and nothing is left hanging."""

from __future__ import annotations

import os

from conftest import BRUNEL, JOBSCRIPTS, SMALL

RUN = JOBSCRIPTS / "hetspike-run.sbatch"


def test_missing_model_file_fails_the_job_with_its_name_in_the_log(cluster, tmp_path):
    job, rc, _ = cluster.submit_and_wait("--ntasks=2", RUN, tmp_path / "no-such-model.toml", cwd=tmp_path)
    log = (tmp_path / f"hetspike-{job}.log").read_text()
    assert rc == 2, log
    assert "hetspike-run.sbatch: error: model file" in log and "no-such-model.toml' does not exist" in log, log
    record = cluster.wait_ended(job)
    assert (record.state, record.exit_code) == ("FAILED", "2:0")


def test_more_tasks_than_the_partition_allows_is_refused_at_submit_time(cluster, tmp_path):
    """EnforcePartLimits=ALL: sbatch says no at once, instead of queueing a job that can never start."""
    too_many = 4 * (os.cpu_count() or 1)
    r = cluster.run("sbatch", f"--ntasks={too_many}", RUN, BRUNEL, cwd=tmp_path)
    assert r.returncode != 0
    assert "sbatch: error: Batch job submission failed: More processors requested than permitted" in r.stderr, \
        r.stderr
    r = cluster.run("sbatch", "--nodes=2", RUN, BRUNEL, cwd=tmp_path)  # a one-node partition
    assert r.returncode != 0 and "Batch job submission failed" in r.stderr, r.stderr
    assert cluster.queue() == ""


def test_unwritable_output_directory_fails_the_job_with_hetspikes_message(cluster, tmp_path):
    # As root every permission check passes; a path through a regular file cannot be created by anyone.
    (tmp_path / "a-file").write_text("not a directory\n")
    job, rc, _ = cluster.submit_and_wait("--ntasks=2", RUN, BRUNEL, *SMALL, "--t-sim", "50", cwd=tmp_path,
                                         env={"OUT": str(tmp_path / "a-file" / "out")})
    log = (tmp_path / f"hetspike-{job}.log").read_text()
    assert rc == 2, log
    assert "hetspike: error: --out" in log and "a-file/out: cannot create the output directory" in log, log
    assert "hetspike failed with exit status 2" in log
    record = cluster.wait_ended(job)
    assert (record.state, record.exit_code) == ("FAILED", "2:0")


def test_a_rank_failing_mid_run_aborts_the_whole_job(cluster, tmp_path):
    job, rc, _ = cluster.submit_and_wait("--ntasks=2", RUN, BRUNEL, *SMALL, "--t-sim", "200", cwd=tmp_path,
                                         env={"HETSPIKE_FAULT_INJECT": "1:500"}, timeout=90)
    log = (tmp_path / f"hetspike-{job}.log").read_text()
    assert rc != 0, log
    assert "hetspike: rank 1: fatal" in log, log
    assert cluster.wait_ended(job).state == "FAILED"
