#pragma once
// Where recorded spikes leave the simulation (as Arbor's spike callbacks): runtime/ declares it, io/ writes
// SONATA files behind it. The simulation never knows the file format.
#include <cstdint>
#include <span>
#include <vector>

#include "kernels/types.hpp"

namespace hetspike {

/// A spike as recorded: the neuron's global id and the step during which it fired. Its time, as in NEST,
/// is the end of that step: (step + 1) * dt.
struct recorded_spike {
  gid_type gid;
  step_type step;
};

/// Collective: every rank calls write() at the same points of a run, each with its own spikes (possibly
/// none, sorted by step then gid), and close() once at the end. Nothing is visible under the final name
/// before close() returns, so a failed run never leaves a half-written file there.
class spike_sink {
 public:
  virtual ~spike_sink() = default;
  virtual void write(std::span<const recorded_spike> spikes) = 0;
  virtual void close() = 0;
  /// Spikes written so far per recorded population, the same on every rank: the positions a checkpoint
  /// records so that a resumed run continues the file without losing or repeating a spike.
  virtual std::vector<std::uint64_t> positions() const { return {}; }
  /// Makes everything written so far durable, before a checkpoint names these positions (collective).
  virtual void sync() {}
};

}  // namespace hetspike
