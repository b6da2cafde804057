#pragma once
// The classes of a rank's synapse store (kernels/synapse_store.hpp): one per projection and block of 2^16 of its
// local targets, ordered by source population, then projection, then block, so that the classes of one source
// population are consecutive (its rows are laid out over them). Each class carries what delivery needs: ring
// column, channel offset, constant weight (fixed point) and delay, and which values vary per synapse.
#include <cstdint>
#include <vector>

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

/// A delay in ms as whole steps, as NEST rounds it to the grid.
std::int64_t delay_steps(double delay_ms, double dt);

/// A drawn delay in steps: rounded to the nearest step; draws from [dt / 2, dt) are one step, as NEST's
/// redraw(min = 0.5 * dt) gives, even where dt / 2 divided by dt rounds to just below one half.
std::int64_t drawn_delay_steps(double delay_ms, double dt);

/// A delay the store can hold (per synapse: 8 bits; constant: 16 bits), else capacity_error naming the projection.
std::uint16_t checked_delay(std::int64_t steps, bool per_synapse, std::size_t projection, double dt);

/// A weight as the 32-bit fixed point of its target population, else capacity_error naming the projection.
std::int32_t fixed_weight(const local_population& target, double weight, std::size_t projection);

}  // namespace hetspike
