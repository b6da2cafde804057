"""jobscripts/scaling_study.py --local: the same study without Slurm, run point by point with mpirun, collected
into the same CSV and plots; and the collector's handling of points that never ran or left a broken report.
(No cluster is started here.)"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

from conftest import BRUNEL, JOBSCRIPTS, MPIEXEC, base_env, run_in_session

STUDY = JOBSCRIPTS / "scaling_study.py"
COLLECT = JOBSCRIPTS / "collect_results.py"


def run(*cmd, cwd: Path, timeout: float = 180) -> subprocess.CompletedProcess:
    env = base_env()
    env.pop("SLURM_CONF", None)
    return run_in_session([str(c) for c in cmd], timeout, cwd=cwd, env=env)


def rows(study: Path) -> list[dict]:
    with open(study / "results" / "results.csv", newline="") as f:
        return list(csv.DictReader(f))


def test_weak_scaling_study_runs_locally_with_mpirun(tmp_path):
    r = run(sys.executable, STUDY, BRUNEL, "--kind", "weak", "--ranks", "1,2", "--scale-param", "order",
            "--per-rank", "250", "--t-sim", "100", "--repetitions", "2", "--local", "--mpirun", MPIEXEC,
            "--study-dir", tmp_path / "weak", cwd=tmp_path)
    assert r.returncode == 0, f"{r.stdout}\n{r.stderr}"
    table = rows(tmp_path / "weak")
    assert [(int(x["ranks"]), int(x["repetition"]), int(x["neurons"])) for x in table] == \
        [(1, 1, 1250), (1, 2, 1250), (2, 1, 2500), (2, 2, 2500)]
    assert all(x["status"] == "ok" for x in table)
    assert table[0]["spike_hash"] == table[1]["spike_hash"] and table[2]["spike_hash"] == table[3]["spike_hash"]
    assert all(x["parallel_efficiency"] for x in table)
    assert (tmp_path / "weak" / "results" / "communication.png").exists()


def test_collector_reports_points_that_never_ran_or_left_a_broken_report(tmp_path):
    study = tmp_path / "study"
    r = run(sys.executable, STUDY, BRUNEL, "--kind", "strong", "--ranks", "1,2,4", "--no-submit", "--no-check",
            "--study-dir", study, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "sbatch --parsable --array=0-2 --ntasks=4" in r.stdout, r.stdout
    assert "--dependency=afterany:" in r.stdout
    plan = json.loads((study / "study.json").read_text())
    broken = study / plan["points"][1]["dir"]
    broken.mkdir(parents=True)
    (broken / "report.json").write_text("{ not json")
    (broken / "exit_code").write_text("0\n")
    killed = study / plan["points"][2]["dir"]
    killed.mkdir(parents=True)
    (study / "logs" / "point-2.log").write_text(
        "study point 2: 4 ranks\nslurmstepd: error: *** JOB 7 ON n1 CANCELLED AT 2026-01-01T00:00:00 DUE TO TIME"
        " LIMIT ***\n")

    r = run(sys.executable, COLLECT, study, cwd=tmp_path)
    assert r.returncode == 1, r.stdout + r.stderr
    table = rows(study)
    assert [x["status"] for x in table] == ["failed"] * 3
    assert "never started" in table[0]["error"]
    assert "not valid JSON" in table[1]["error"]
    assert "DUE TO TIME LIMIT" in table[2]["error"]
    assert "0 of 3 points ok" in r.stdout
