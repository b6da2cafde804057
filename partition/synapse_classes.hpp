#pragma once
// The classes of a rank's synapse store (kernels/synapse_store.hpp): one per projection and block of 2^16 of its
// local targets, ordered by source population, then projection, then block, so that the classes of one source
// population are consecutive (its rows are laid out over them). Each class carries what delivery needs: ring
// column, channel offset, constant weight (fixed point) and delay, and which values vary per synapse.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <vector>

#include "kernels/fixed_point.hpp"
#include "kernels/synapse_store.hpp"
#include "partition/local_network.hpp"

namespace hetspike {

struct class_table {
  std::vector<synapse_class> classes;           ///< first and shifts stay 0 until the builder sizes the classes
  std::vector<std::uint32_t> projection_first;  ///< per projection: the class of its first block
  std::vector<std::uint32_t> population_first;  ///< per source population + 1: its first class
  std::vector<neuron_params> target_params;     ///< per projection: the target's parameters as its kernel runs them
  projections_by_source by_source;              ///< each source population's projections

  /// The class of a projection's synapse onto its local target `local_target` (counted from the rank's first).
  std::uint32_t of(std::size_t projection, std::uint64_t local_target) const {
    return projection_first[projection] + static_cast<std::uint32_t>(local_target / segment_block_size);
  }
  std::uint32_t num_classes(std::size_t source_population) const {
    return population_first[source_population + 1] - population_first[source_population];
  }
};

/// Collective in nothing; throws capacity_error for a constant weight or delay the store cannot hold.
class_table make_class_table(const network_spec& net, const local_layout& layout);

// Inline: the builder converts a drawn weight and delay per synapse, hundreds of millions.

/// A delay in ms as whole steps, as NEST rounds it to the grid (std::llround's integer).
inline std::int64_t delay_steps(double delay_ms, double dt) {
  const double steps = round_half_away(delay_ms / dt);
  return std::abs(steps) < 0x1p62 ? static_cast<std::int64_t>(steps) : std::llround(delay_ms / dt);
}

/// A drawn delay in steps: rounded to the nearest step; draws from [dt / 2, dt) are one step, as NEST's
/// redraw(min = 0.5 * dt) gives, even where dt / 2 divided by dt rounds to just below one half.
inline std::int64_t drawn_delay_steps(double delay_ms, double dt) {
  return std::max<std::int64_t>(1, delay_steps(delay_ms, dt));
}

[[noreturn]] void throw_delay_beyond(std::int64_t steps, std::int64_t limit, bool per_synapse, std::size_t projection,
                                     double dt);

/// What a synapse of `p` takes in the store besides its 16-bit target offset: its weight (plastic: 8 bytes; varying:
/// 4, fixed point; constant: none) and its delay (varying: 1 byte).
inline double synapse_weight_bytes(const projection_spec& p) {
  return p.plasticity ? 8 : p.weight.is_constant() ? 0 : 4;
}
inline double synapse_delay_bytes(const projection_spec& p) { return p.delay.is_constant() ? 0 : 1; }

/// A delay the store can hold (per synapse: 8 bits; constant: 16 bits), else capacity_error naming the projection.
inline std::uint16_t checked_delay(std::int64_t steps, bool per_synapse, std::size_t projection, double dt) {
  const std::int64_t limit = per_synapse ? max_synapse_delay_steps : std::numeric_limits<std::uint16_t>::max();
  if (steps < 1 || steps > limit) throw_delay_beyond(steps, limit, per_synapse, projection, dt);
  return static_cast<std::uint16_t>(steps);
}

[[noreturn]] void throw_weight_beyond(const std::range_error& e, std::size_t projection);

/// A weight as the 32-bit fixed point of its target population, else capacity_error naming the projection.
inline std::int32_t fixed_weight(const local_population& target, double weight, std::size_t projection) {
  try {
    return target.scale.to_fixed32(weight);
  } catch (const std::range_error& e) {
    throw_weight_beyond(e, projection);
  }
}

}  // namespace hetspike
