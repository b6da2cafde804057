"""jobscripts/hetspike-het.sbatch under a real Slurm: a heterogeneous job, a GPU component and a CPU component,
runs as ONE MPI world (srun over both components with --mpi=pmix) and gives the same spikes as any other run.

The cluster here has two pretend nodes (a heterogeneous job's components never share a node), the first with a
pretend GPU: Slurm schedules the GPU request, but no GPU computes (the ranks use the binary's backend, here the
CPU). What this proves is the job script: the components, the MPMD srun line and the one MPI world."""

from __future__ import annotations

import json

from conftest import BRUNEL, JOBSCRIPTS, SMALL, mpirun

SLURM_NODES = 2
HET = JOBSCRIPTS / "hetspike-het.sbatch"


def test_gpu_and_cpu_components_run_in_one_mpi_world(cluster, tmp_path):
    job, rc, out = cluster.submit_and_wait(HET, BRUNEL, *SMALL, "--t-sim", "200", cwd=tmp_path,
                                           env={"OUT": "het"}, timeout=120)
    log = (tmp_path / f"hetspike-het-{job}.log").read_text()
    assert rc == 0, f"{out}\n{log}\n{cluster.diagnostics(job)}"
    assert "1 GPU rank(s) x 1 threads + 1 CPU rank(s) x 1 threads in one MPI world" in log, log
    components = [r for r in cluster.records() if r.fields.get("NodeList") in ("n1", "n2")]
    assert sorted(r.fields["NodeList"] for r in components[-2:]) == ["n1", "n2"], "one component per node"

    report = json.loads((tmp_path / "het" / "report.json").read_text())
    assert report["ranks"] == 2 and len(report["per_rank"]) == 2
    mpirun("run", BRUNEL, *SMALL, "--t-sim", "200", "--out", tmp_path / "reference", ranks=3, cwd=tmp_path)
    reference = json.loads((tmp_path / "reference" / "report.json").read_text())
    assert (report["spikes"], report["spike_hash"]) == (reference["spikes"], reference["spike_hash"])


def test_the_request_is_checked_without_running_it(cluster, tmp_path):
    """sbatch --test-only validates the two-component request against the cluster."""
    r = cluster.run("sbatch", "--test-only", HET, BRUNEL, cwd=tmp_path)
    assert r.returncode == 0 and "to start at" in r.stderr, r.stderr
    r = cluster.run("sbatch", "--test-only", "--gpus-per-task=2", HET, BRUNEL, cwd=tmp_path)
    assert r.returncode != 0, "asking for more GPUs than exist must be refused"
