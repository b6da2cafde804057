"""Shared helpers of the end-to-end tests: run the real hetspike binary under mpiexec, read its outputs."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).parent))
from sonata_read import read_spikes  # noqa: E402

BIN = os.environ.get("HETSPIKE_BIN", "build/apps/hetspike")
MPIEXEC = os.environ.get("MPIEXEC", "mpiexec")
SOURCE_DIR = Path(os.environ.get("HETSPIKE_SOURCE_DIR", Path(__file__).parents[2]))
BRUNEL = SOURCE_DIR / "apps" / "models" / "brunel.toml"


def mpi_env() -> dict[str, str]:
    env = dict(os.environ)
    env.update(OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
               OMPI_MCA_rmaps_base_oversubscribe="1", OMPI_MCA_hwloc_base_binding_policy="none")
    return env


def hetspike(*args: str, ranks: int = 1, timeout: float = 600, env: dict[str, str] | None = None,
             cwd: Path | None = None) -> subprocess.CompletedProcess:
    """Runs `mpiexec -n ranks hetspike args...`; never hangs the test suite (timeout)."""
    cmd = [MPIEXEC, "-n", str(ranks), BIN, *[str(a) for a in args]]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env or mpi_env(), cwd=cwd)


HANG_LIMIT = 120  # seconds: far above what any case of the hostile-input tests needs


def error_lines(result) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.startswith("hetspike: error:")]


def expect_refused(result, code: int, *needles: str) -> str:
    """The one error line of a refused command (rank 0 only), after checking the exit code and that it holds every
    needle."""
    assert result.returncode == code, f"exit code {result.returncode}\n{result.stdout}\n{result.stderr}"
    errors = error_lines(result)
    assert len(errors) == 1, f"one error line expected, on rank 0 only:\n{result.stderr}"
    for needle in needles:
        assert needle in errors[0], f"{needle!r} not in: {errors[0]}"
    return errors[0]


def run_ok(*args: str, ranks: int = 1, **kw) -> subprocess.CompletedProcess:
    r = hetspike(*args, ranks=ranks, **kw)
    assert r.returncode == 0, f"hetspike {' '.join(map(str, args))} on {ranks} ranks failed:\n{r.stdout}\n{r.stderr}"
    return r


def report(out: Path) -> dict:
    return json.loads((out / "report.json").read_text())


def sorted_spike_list(path: Path) -> np.ndarray:
    """All spikes of a SONATA file as rows (population index, node id, time in ms), sorted: the canonical form
    whose bytes two runs must share to count as identical."""
    spikes = read_spikes(path)
    rows = []
    for i, name in enumerate(sorted(spikes)):
        ids, times = spikes[name]
        rows.append(np.column_stack([np.full(ids.shape, i, dtype=np.float64), ids.astype(np.float64), times]))
    table = np.concatenate(rows) if rows else np.zeros((0, 3))
    return table[np.lexsort((table[:, 1], table[:, 2], table[:, 0]))]


def spike_list_hash(path: Path) -> str:
    return hashlib.sha256(np.ascontiguousarray(sorted_spike_list(path)).tobytes()).hexdigest()


@pytest.fixture
def brunel() -> Path:
    return BRUNEL
