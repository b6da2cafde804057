"""hetspike_build_bench (apps/bench/build_bench.cpp): one rank's build, alternated between cases, with the ratio."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from conftest import BRUNEL

BENCH = Path(os.environ["HETSPIKE_BUILD_DIR"]) / "apps" / "hetspike_build_bench"


def test_cases_build_rank_zero_of_their_job_and_print_the_ratio():
    # Rank 0 of 2 and of 64 ranks, 250 targets each with in-degree 100: the same 25,000 synapses, built with 2
    # threads (an option Kokkos once took for its own, aborting), three times each.
    r = subprocess.run([BENCH, "--repeat", "3", "--threads", "2", BRUNEL, "2 order=100 CE=80 CI=20",
                        "64 order=3200 CE=80 CI=20"], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr
    header, small, large = r.stdout.strip().splitlines()
    assert header.split()[:3] == ["case", "synapses", "median"]
    assert small.split()[4] == "25000" and large.split()[4] == "25000", r.stdout
    assert float(large.split()[-1]) > 0  # the ratio to the first case


def test_a_case_without_a_rank_count_is_refused():
    r = subprocess.run([BENCH, BRUNEL, "order=100"], capture_output=True, text=True, timeout=60)
    assert r.returncode == 2
    assert "begins with the rank count P" in r.stderr
