#pragma once
// Where sampled state leaves the simulation, as spikes leave through spike_sink: runtime/ declares it, io/ writes
// SONATA reports behind it.
#include <cstdint>
#include <span>

#include "runtime/state_reports.hpp"

namespace hetspike {

/// New samples of one report from one rank: `rows` samples, oldest first, each the values of this rank's recorded
/// neurons (population-local ids first_node .. first_node + nodes - 1), row-major in `values` (host memory).
struct state_block {
  std::uint64_t rows = 0;  ///< the same on every rank
  std::uint64_t first_node = 0;
  std::uint64_t nodes = 0;  ///< possibly none
  const double* values = nullptr;
};

/// Collective: every rank calls write() at the same points of a run, each with one block per report (in
/// state_reports order; the same rows everywhere), and close() once at the end. Nothing is visible under the final
/// names before close() returns, so a failed run never leaves a half-written file there.
class state_sink {
 public:
  virtual ~state_sink() = default;
  virtual void write(std::span<const state_block> blocks) = 0;
  virtual void close() = 0;
  /// Makes everything written so far durable, before a checkpoint says the samples up to its step are written.
  virtual void sync() {}
};

}  // namespace hetspike
