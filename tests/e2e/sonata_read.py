"""Read a hetspike SONATA spike file with libsonata, the reference reader, and cross-check it with h5py.

End-to-end tests use read_spikes() so that every spike file they look at is also proven readable by the
SONATA tools users have (libsonata, and anything built on h5py).

Run by hand:  python3 tests/e2e/sonata_read.py out/spikes.h5
"""

from __future__ import annotations

import sys
from pathlib import Path

import h5py
import libsonata
import numpy as np

SONATA_MAGIC = 0x0A7A
SORTING_NAMES = {"none", "by_id", "by_time"}


def _by_pair(node_ids: np.ndarray, timestamps: np.ndarray) -> np.ndarray:
    """Indices that sort spikes by (node id, time): a canonical order for comparing two readers."""
    return np.lexsort((timestamps, node_ids))


def _check_layout(f: h5py.File, path: Path) -> None:
    assert f.attrs.get("magic") == SONATA_MAGIC, f"{path}: root attribute magic is not 0x0A7A"
    version = f.attrs.get("version")
    assert version is not None and len(version) == 2, f"{path}: root attribute version is not 2 numbers"
    assert "spikes" in f, f"{path}: no /spikes group"


def _read_population_h5py(group: h5py.Group, where: str) -> tuple[np.ndarray, np.ndarray]:
    node_ids = group["node_ids"][...]
    timestamps = group["timestamps"][...]
    assert node_ids.dtype == np.uint64, f"{where}/node_ids is {node_ids.dtype}, not uint64"
    assert timestamps.dtype == np.float64, f"{where}/timestamps is {timestamps.dtype}, not float64"
    assert node_ids.shape == timestamps.shape, f"{where}: node_ids and timestamps differ in length"
    assert group["timestamps"].attrs.get("units") == "ms", f"{where}/timestamps: units is not 'ms'"
    sorting = h5py.check_enum_dtype(group.attrs.get_id("sorting").dtype) if "sorting" in group.attrs else None
    assert sorting is None or set(sorting) == SORTING_NAMES, f"{where}: sorting enum names are {sorting}"
    return node_ids, timestamps


def read_spikes(path: str | Path) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Per population name: (node_ids as uint64, timestamps in ms as float64), in file order.

    Reads with libsonata and with h5py and raises AssertionError if the two disagree on any spike or if the
    file departs from the SONATA spike layout (magic/version, dtypes, units, sorting enum).
    """
    path = Path(path)
    reader = libsonata.SpikeReader(str(path))
    result: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    with h5py.File(path, "r") as f:
        _check_layout(f, path)
        names = sorted(f["spikes"].keys())
        assert sorted(reader.get_population_names()) == names, f"{path}: libsonata sees other populations"
        for name in names:
            where = f"{path}:/spikes/{name}"
            node_ids, timestamps = _read_population_h5py(f["spikes"][name], where)
            population = reader[name]
            assert population.time_units == "ms", f"{where}: libsonata reads units {population.time_units!r}"
            lib = population.get_dict()
            lib_ids = np.asarray(lib["node_ids"], dtype=np.uint64)
            lib_times = np.asarray(lib["timestamps"], dtype=np.float64)
            mine, theirs = _by_pair(node_ids, timestamps), _by_pair(lib_ids, lib_times)
            np.testing.assert_array_equal(node_ids[mine], lib_ids[theirs], err_msg=f"{where}: node_ids")
            np.testing.assert_array_equal(timestamps[mine], lib_times[theirs], err_msg=f"{where}: timestamps")
            result[name] = (node_ids, timestamps)
    return result


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(f"usage: {argv[0]} SPIKE_FILE", file=sys.stderr)
        return 2
    for name, (node_ids, timestamps) in read_spikes(argv[1]).items():
        span = f"{timestamps.min():.1f}-{timestamps.max():.1f} ms" if len(timestamps) else "no spikes"
        print(f"{name}: {len(node_ids)} spikes, {len(np.unique(node_ids))} neurons, {span}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
