#pragma once
// What a checkpoint holds and the two interfaces through which it is stored and read back (DESIGN.md,
// "Checkpoint and restart"). runtime/ only describes the state; io/ stores it (HDF5), so the simulation never
// knows the file format. Every array is in global (gid) order, split over ranks by contiguous column blocks,
// so a checkpoint written on one rank count can be read on any other.
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace hetspike {

/// Element types of checkpoint arrays.
enum class field_type { f64, i32, u32, i64, u64 };

/// One array of a checkpoint: globally `rows` x `global_columns`, of which this rank holds the columns
/// [first_column, first_column + local_columns) of every row, row-major in `data` (host memory owned by the
/// caller), rows `row_stride` elements apart (0: local_columns, i.e. packed), so that a block inside a wider
/// array (a population's columns of the ring buffer) is stored without a copy. A rank may hold no columns.
struct checkpoint_field {
  std::string name;  ///< a path such as "populations/E/V_m"
  field_type type = field_type::f64;
  std::uint64_t rows = 1;
  std::uint64_t global_columns = 0;
  std::uint64_t first_column = 0;
  std::uint64_t local_columns = 0;
  void* data = nullptr;
  std::uint64_t row_stride = 0;
};

/// The scalars of a checkpoint, the same on every rank.
struct checkpoint_header {
  std::int64_t step = 0;   ///< an interval boundary: every step before it is simulated and delivered
  double dt = 0.1;         ///< ms
  std::int64_t d_min = 1;  ///< steps
  std::int64_t d_max = 1;  ///< steps
  int ranks = 1;           ///< how many ranks wrote it
  std::uint32_t seed = 0;
  std::string model_hash;       ///< hash of the network (io's canonical text)
  std::string model_text;       ///< the canonical network text, to name the first difference on a mismatch
  std::string model_source;     ///< the model file as the user wrote it
  std::string model_path;       ///< where that file was
  std::string model_overrides;  ///< the run's --set NAME=VALUE items, one per line (applied to model_source)
  std::string hetspike_version;
  std::string build_id;  ///< compiler, Kokkos version and backend of the binary that wrote it
  std::string run_id;    ///< the same across all restarts of one run; ties spike files to checkpoints
  double t_presim = 0;   ///< ms, of the run that wrote it
  std::vector<std::string> recorded_populations;  ///< names, in spike-file order
  std::vector<std::uint64_t> recorded_spikes;     ///< spikes in the spike file per recorded population
  std::vector<std::uint64_t> weight_samples;      ///< samples so far per weight recorder
  std::vector<std::uint64_t> weight_synapses;     ///< synapses each weight recorder samples
  std::uint64_t spikes = 0;                       ///< all neurons, recorded window, up to `step`
  std::uint64_t spike_hash = 0;                   ///< the sum of spike hashes so far (activity_statistics)
  std::uint64_t synaptic_events = 0;              ///< delivered so far
  std::uint64_t spikes_emitted = 0;               ///< all spikes so far, presim included
};

/// Stores checkpoints (io/ implements it with parallel HDF5). Collective.
class checkpoint_store {
 public:
  virtual ~checkpoint_store() = default;
  /// Writes one complete checkpoint; it becomes visible under its final name only when complete, and older
  /// checkpoints beyond the ones kept are removed only after that. Returns the file written. Throws (the same
  /// error on every rank) if it cannot be written; earlier checkpoints are then untouched.
  virtual std::string write(const checkpoint_header& header, std::span<const checkpoint_field> fields) = 0;
};

/// Reads one checkpoint back (io/ implements it). Collective.
class checkpoint_source {
 public:
  virtual ~checkpoint_source() = default;
  virtual const checkpoint_header& header() const = 0;
  /// Fills each field's data with this rank's columns. The fields' names, types and global shapes must match
  /// the stored arrays; any mismatch, missing array or failed checksum throws input_error naming the file and
  /// the array, the same on every rank.
  virtual void read(std::span<const checkpoint_field> fields) = 0;
  /// The file, for messages.
  virtual std::string name() const = 0;
};

/// The exit code of a run that stopped at a checkpoint because it was asked to (SIGTERM, SIGUSR1): resume it.
inline constexpr int exit_checkpointed = 3;

}  // namespace hetspike
