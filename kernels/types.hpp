#pragma once
// Integer types shared by every layer, so that a gid or a step means the same width everywhere.
#include <cstdint>

namespace hetspike {

using gid_type = std::uint64_t;   ///< global neuron id, contiguous per population
using lid_type = std::uint32_t;   ///< neuron index local to one rank
using step_type = std::int64_t;   ///< simulation time in steps of dt
using fixed_type = std::int64_t;  ///< synaptic input summed in fixed point (see fixed_point.hpp)

}  // namespace hetspike
