#pragma once
// Checkpoints as HDF5 files (DESIGN.md, "Checkpoint and restart"): io/'s implementation of runtime/'s
// checkpoint_store and checkpoint_source, written and read by all ranks at once with parallel HDF5.
//
// Layout of `checkpoint-<step, 12 digits>.h5` (format_version 2):
//   /                  attributes: magic = "hetspike-checkpoint", format_version (i32), step, d_min, d_max (i64),
//                      dt, t_presim (f64), ranks (i32), seed (u32), spikes, spike_hash, synaptic_events,
//                      spikes_emitted (u64), model_hash, hetspike_version, build_id, run_id (UTF-8 strings)
//   /model/{text,source,path,overrides}   each a 1-element fixed-length UTF-8 string dataset
//   /recorder/populations                 [n] fixed-length strings, the spike file's populations in order
//   /recorder/spikes                      [n] u64, spikes in the spike file per population
//   /recorder/weight_samples              [w] u64, samples so far per weight recorder (its arrays are in /state)
//   /recorder/weight_synapses             [w] u64, synapses each weight recorder samples
//   /state/<field name>                   [rows, global_columns] of the field's type (f64, i32, u32, i64, u64;
//                                         little-endian); '/' in a name makes groups
//                                         (runtime/simulation_checkpoint_impl.hpp and plastic_checkpoint.hpp
//                                         say which fields there are)
//   /contents                             [n] fixed-length strings: the path of every other dataset, so that
//                                         `inspect` can tell a deleted one
// Every dataset is contiguous and carries a u64 `checksum` attribute: the sum over its elements of a strong mix
// of (global element index, value), which ranks compute for their own blocks and add up, so a checkpoint
// verifies when read on any number of ranks; a damaged file is detected on read (and by `inspect`).
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include "runtime/checkpoint.hpp"
#include "runtime/distributed_context.hpp"

namespace hetspike {

/// Writes checkpoints into one directory, keeping the newest `keep`. Collective: every rank of `ctx` constructs
/// it and calls write() at the same point.
///
/// A checkpoint is written to `.checkpoint-<step>.h5.partial` in the same directory (MPI-IO with collective
/// transfers for an MPI context, HDF5's POSIX driver for a local one), flushed, closed, fsync()ed and renamed by
/// rank 0 (then the directory is fsync()ed); only after that are the oldest checkpoints beyond `keep` removed
/// (the one just written always stays). Rank 0 reserves the file's whole size (fallocate) before any data is
/// written, so a full disk, a quota or a file-size limit fails there, cleanly (see reserve_file_space). Every
/// collective HDF5 call is followed by an agreement over the ranks, so a failure on any rank stops all ranks at
/// the same point: the partial file is closed and removed and every rank throws the same input_error,
/// "checkpoint <file>: cannot write <object>: <reason>; earlier checkpoints are untouched".
///
/// Test hook: with HETSPIKE_KILL_DURING_CHECKPOINT=RANK:N in the environment (read at construction), rank RANK
/// raises SIGKILL on itself after writing about half the state datasets of the N-th checkpoint (1-based) this
/// store writes, leaving a partial file behind as a node failure would.
class hdf5_checkpoint_store final : public checkpoint_store {
 public:
  /// Creates `dir` (rank 0) and proves it writable. Throws input_error naming the directory, the same on every
  /// rank, if it cannot be created or written, if `keep` < 1, or if the test hook's value is malformed.
  /// Partial files left in `dir` by a killed run are removed.
  hdf5_checkpoint_store(distributed_context ctx, std::filesystem::path dir, int keep);

  /// Writes `fields` (each rank its column blocks) and `header` (the same on every rank; its `ranks` is
  /// replaced by the number of ranks writing). Returns the final path. The fields' names, types and shapes must
  /// be the same on every rank and their column blocks must add up to global_columns: internal_error otherwise.
  std::string write(const checkpoint_header& header, std::span<const checkpoint_field> fields) override;

  const std::filesystem::path& directory() const { return dir_; }

 private:
  distributed_context ctx_;
  std::filesystem::path dir_;
  int keep_;
  int kill_rank_ = -1;   ///< test hook: the rank that kills itself, -1 for none
  int kill_at_ = 0;      ///< test hook: during this checkpoint (1-based)
  int checkpoints_ = 0;  ///< write() calls so far, for the test hook
};

/// Reads one checkpoint file. Collective: every rank constructs it and calls read() at the same point.
/// The file is opened only inside the constructor and read(), never held in between.
class hdf5_checkpoint_source final : public checkpoint_source {
 public:
  /// Reads the header. A missing file, a file that is not HDF5, a truncated file, a wrong `magic`, a newer
  /// format_version or a missing or mistyped attribute throw input_error naming the file (and the attribute),
  /// the same on every rank.
  hdf5_checkpoint_source(distributed_context ctx, std::filesystem::path file);

  const checkpoint_header& header() const override { return header_; }

  /// Fills each field's data with this rank's column block. A missing dataset, another type or shape, a failed
  /// checksum mismatch or any read error throw input_error "checkpoint <file>: dataset /state/<name>:
  /// <problem>", the same on every rank. The column split may differ from the one that wrote the file.
  void read(std::span<const checkpoint_field> fields) override;

  std::string name() const override { return file_.string(); }

 private:
  distributed_context ctx_;
  std::filesystem::path file_;
  checkpoint_header header_;
};

/// The final name of the checkpoint of `step` in `dir`: `dir/checkpoint-<step, 12 digits zero-padded>.h5`.
std::filesystem::path checkpoint_path(const std::filesystem::path& dir, std::int64_t step);

/// The name the checkpoint of `step` is written under in `dir` until it is complete (collectively, through
/// MPI-IO): `dir/.checkpoint-<step, 12 digits zero-padded>.h5.partial`.
std::filesystem::path partial_checkpoint_path(const std::filesystem::path& dir, std::int64_t step);
/// The longest of those names a run can write in `dir`: steps of 13 digits (a run has at most 2^40 steps).
std::filesystem::path longest_partial_checkpoint_path(const std::filesystem::path& dir);

/// The `checkpoint-<step>.h5` files in `dir`, newest (highest step) first; partial files and other names are
/// ignored. Empty if `dir` does not exist. Not collective (no MPI).
std::vector<std::filesystem::path> list_checkpoints(const std::filesystem::path& dir);

/// For `hetspike inspect FILE` (serial, no MPI): the file, its size, step and simulated time, model hash,
/// rank count, hetspike version, build id, run id and recorded spike counts, one line per dataset (name, type,
/// shape, bytes), then "checksums: OK (N datasets verified)" after reading every dataset in full, or the
/// datasets that fail. Throws input_error if the file cannot be opened as a checkpoint.
struct checkpoint_inspection {
  std::string text;
  bool intact = false;  ///< every dataset /contents lists is there and passes its checksum
};
checkpoint_inspection inspect_checkpoint(const std::filesystem::path& file);

}  // namespace hetspike
