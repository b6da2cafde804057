"""jobscripts/scaling_study.py and collect_results.py under a real Slurm: one command submits a study as a job
array plus a collector job that depends on it (afterany); the collector merges every report into one CSV and
draws the plots, and reports failed points instead of skipping them."""

from __future__ import annotations

import csv
import json
import os
import sys
from datetime import datetime
from pathlib import Path

from conftest import BRUNEL, JOBSCRIPTS

STUDY = JOBSCRIPTS / "scaling_study.py"
PLOTS = ["time_per_phase", "parallel_efficiency", "speedup", "real_time_factor", "memory_per_rank",
         "communication"]


def study_command(study_dir: Path, ranks: str, *extra: str) -> list:
    return [sys.executable, STUDY, BRUNEL, "--kind", "strong", "--ranks", ranks, "--set", "order=500",
            "--t-sim", "200", "--study-dir", study_dir, "--python", sys.executable, *extra]


def read_csv(path: Path) -> list[dict]:
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def when(record, key: str) -> datetime:
    return datetime.fromisoformat(record.fields[key])


def test_strong_scaling_study_is_an_array_with_a_dependent_collector(cluster, tmp_path):
    study_dir = tmp_path / "study"
    r = cluster.run(*study_command(study_dir, "1,2,4", "--sbatch-arg=--overcommit"), cwd=tmp_path, timeout=120)
    assert r.returncode == 0, f"{r.stdout}\n{r.stderr}"
    jobs = json.loads((study_dir / "study.json").read_text())["jobs"]
    [array], collector = jobs["arrays"], jobs["collector"]
    # Submitted while the array is queued or running, and held back by it.
    show = cluster.run("scontrol", "show", "job", collector, check=True).stdout
    assert f"Dependency=afterany:{array}_*" in show or "JobState=COMPLETED" in show, show

    done = cluster.wait_ended(collector, timeout=150)
    assert (done.state, done.exit_code) == ("COMPLETED", "0:0"), f"{done}\n{cluster.diagnostics(collector)}"
    tasks = cluster.array_records(array)
    assert sorted(t.fields["ArrayTaskId"] for t in tasks) == ["0", "1", "2"]
    assert all(t.state == "COMPLETED" for t in tasks), [(t.job_id, t.state) for t in tasks]
    assert when(done, "StartTime") >= max(when(t, "EndTime") for t in tasks), "the collector ran before the array ended"

    rows = read_csv(study_dir / "results" / "results.csv")
    assert [int(r["ranks"]) for r in rows] == [1, 2, 4]
    assert all(r["status"] == "ok" and r["error"] == "" for r in rows), rows
    assert len({r["spike_hash"] for r in rows}) == 1, "strong scaling: the same network must give the same spikes"
    for row in rows:
        assert row["model"] == str(BRUNEL) and row["repetition"] == "1" and int(row["neurons"]) == 2500
        for column in ("simulate_seconds", "update_max_s", "communicate_max_s", "peak_rss_max", "bytes_sent_total",
                       "real_time_factor", "parallel_efficiency"):
            assert row[column] != "", f"{column} is empty in {row}"
    assert float(rows[0]["parallel_efficiency"]) == 1.0
    for name in PLOTS:
        assert (study_dir / "results" / f"{name}.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", name
    summary = json.loads((study_dir / "results" / "summary.json").read_text())
    assert (summary["ok"], summary["failed"], summary["hashes_consistent"]) == (3, 0, True)


def test_a_failed_point_is_a_row_with_its_error_and_fails_the_collector(cluster, tmp_path):
    """Rank 3 fails (fault injection): the 4-rank point dies, the collector still runs (afterany), writes the
    point as failed with hetspike's message, and its job fails so that nobody mistakes the study for complete."""
    study_dir = tmp_path / "study"
    r = cluster.run(*study_command(study_dir, "1,4", "--sbatch-arg=--overcommit", "--wait", "--wait-timeout", "150"),
                    cwd=tmp_path, timeout=200, env={"HETSPIKE_FAULT_INJECT": "3:100"})
    assert r.returncode == 1, f"{r.stdout}\n{r.stderr}"
    assert "1 of 2 points ok, 1 failed" in r.stdout, r.stdout

    rows = read_csv(study_dir / "results" / "results.csv")
    assert [(int(r["ranks"]), r["status"]) for r in rows] == [(1, "ok"), (4, "failed")]
    assert rows[1]["error"].startswith("hetspike: rank 3: fatal"), rows[1]
    assert rows[1]["exit_code"] not in ("", "0")
    jobs = json.loads((study_dir / "study.json").read_text())["jobs"]
    collector = cluster.wait_ended(jobs["collector"])
    assert (collector.state, collector.exit_code) == ("FAILED", "1:0")
    log = next((study_dir / "logs").glob("collect-*.log")).read_text()
    assert "point 1 (4 ranks, repetition 1) failed: hetspike: rank 3: fatal" in log, log


def test_sbatch_refuses_more_tasks_than_the_partition_has_at_submit_time(cluster, tmp_path):
    too_many = 4 * (os.cpu_count() or 1)  # the cluster's one node has this machine's cores
    r = cluster.run(*study_command(tmp_path / "study", f"1,{too_many}"), cwd=tmp_path, timeout=120)
    assert r.returncode == 2
    assert "sbatch refused the job: sbatch: error: Batch job submission failed:" in r.stderr, r.stderr
    assert "More processors requested than permitted" in r.stderr, r.stderr
    assert cluster.queue() == "", "a refused study left jobs in the queue"


def test_bad_model_or_parameters_are_refused_before_anything_is_submitted(cluster, tmp_path):
    missing = [sys.executable, STUDY, tmp_path / "nowhere.toml", "--kind", "strong", "--ranks", "1"]
    r = cluster.run(*missing, cwd=tmp_path)
    assert r.returncode == 2 and "model file" in r.stderr and "nowhere.toml" in r.stderr, r.stderr
    r = cluster.run(*study_command(tmp_path / "study", "1,2", "--set", "orderx=3"), cwd=tmp_path)
    assert r.returncode == 2 and "unknown parameter 'orderx'" in r.stderr, r.stderr
    r = cluster.run(sys.executable, STUDY, BRUNEL, "--kind", "weak", "--ranks", "1,2", cwd=tmp_path)
    assert r.returncode == 2 and "--scale-param" in r.stderr, r.stderr
    assert cluster.queue() == ""
