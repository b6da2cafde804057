#pragma once
// Sampled state (runtime/state_sink.hpp) as SONATA report files (HDF5), written by all ranks at once with parallel
// HDF5.
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "runtime/distributed_context.hpp"
#include "runtime/state_reports.hpp"
#include "runtime/state_sink.hpp"

namespace hetspike {

class state_report_file;  // one file (io/sonata_state_file.hpp)

/// Where a resumed run continues its state files: the checkpoint's step and the run that wrote it.
struct state_file_resume {
  step_type step = 0;
  std::string run_id;
};

/// The file of variable `variable` in `dir`: `state_<variable>.h5`.
std::filesystem::path state_file_path(const std::filesystem::path& dir, const std::string& variable);

/// The files a run with `reports` writes in `dir`, in the order the reports first name their variables.
std::vector<std::filesystem::path> state_file_paths(const std::filesystem::path& dir,
                                                    const std::vector<state_report>& reports);

/// Writes each variable's reports to its own SONATA report file, `state_<variable>.h5` (a SONATA report holds one
/// variable, and its data one unit), with a group per recorded population:
///
///   /report/<population>/data                     [times, nodes] float32 (precision = "float32") or float64,
///                                                 attribute units (the variable's)
///   /report/<population>/mapping/node_ids         [nodes] u64, population-local ids 0 .. nodes - 1 (sorted = 1)
///   /report/<population>/mapping/index_pointers   [nodes + 1] u64: node i is element i
///   /report/<population>/mapping/element_ids      [nodes] u32, all 0 (one element, the soma, per node)
///   /report/<population>/mapping/time             [3] f64: start, stop, interval in ms (units "ms"); row k is at
///                                                 start + k * interval, stop = start + rows * interval
///
/// Root attributes: SONATA's magic and version, and `run_id`, the same across all restarts of one run. Times are
/// those of step boundaries as the spike file writes them (sonata_clock). libsonata's ElementReportReader reads the
/// float32 files (it refuses float64 data; h5py reads both).
///
/// Every member function except paths() is collective. Each file is built under `<final>.partial` and renamed by
/// close() (partial_output_file: the destructor without close() and discard() behave as the spike writer's).
///
/// With `resume`, each file continues the one of the run it resumes, as the spike file does: `<final>.partial`,
/// then `<final>`, provided it has the run id, the same reports (nodes, interval, precision, units) and every
/// sample up to the checkpoint's step; later rows are cut off and written again. A file that cannot be continued
/// is started anew, its rows from the first sample after the checkpoint.
class sonata_state_writer final : public state_sink {
 public:
  /// Creates the partial files. Throws input_error (on every rank) if one cannot be created; internal_error if
  /// `dt_ms` is not positive or a (population, variable) appears twice.
  sonata_state_writer(distributed_context ctx, std::filesystem::path dir, std::vector<state_report> reports,
                      double dt_ms, std::string run_id = {}, std::optional<state_file_resume> resume = std::nullopt);
  ~sonata_state_writer() override;
  sonata_state_writer(const sonata_state_writer&) = delete;
  sonata_state_writer& operator=(const sonata_state_writer&) = delete;

  /// Appends each report's block (state_sink). Rank 0 first reserves the disk space, so that a full disk throws
  /// input_error on every rank before HDF5 writes anything; any failed HDF5 call throws the same input_error on
  /// every rank.
  void write(std::span<const state_block> blocks) override;
  /// Closes and renames every file; returns once they exist for every rank. Calling it again does nothing.
  void close() override;
  /// For a run that failed on every rank: removes the partial files (unless a checkpoint may name their rows).
  void discard();
  /// Flushes every file to disk (see partial_output_file::sync).
  void sync() override;

  /// The final file names, in state_file_paths order.
  std::vector<std::filesystem::path> paths() const;
  /// Why files could not be continued, each named ("" when all were, or without `resume`). The same on every rank.
  std::string resume_problem() const;

 private:
  std::vector<std::unique_ptr<state_report_file>> files_;
  std::vector<std::pair<std::size_t, std::size_t>> where_;  ///< per report: its file and its place there
};

}  // namespace hetspike
