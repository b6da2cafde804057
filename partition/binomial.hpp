#pragma once
// Exact binomial draws and the rank-independent split of a total synapse count over targets
// (fixed_total_number). Written here rather than taken from <random>, whose algorithm differs between
// standard libraries: the split must be the same for every build that claims the same network.
#include <cstdint>
#include <vector>

#include "kernels/random.hpp"

namespace hetspike {

/// Binomial(n, p) from the stream: inversion when n·min(p, 1-p) < 10, else Hörmann's BTRD (1993).
std::uint64_t draw_binomial(random_stream& stream, std::uint64_t n, double p);

/// How many of `total` synapses land on each target in [first, last) when every synapse picks one of
/// `num_targets` targets uniformly (a multinomial), drawn as binomial splits down a fixed binary tree of
/// target ranges. Each tree node has its own random stream, keyed by its position in the tree, so the count
/// of a target does not depend on which range a rank asks for.
std::vector<std::uint64_t> split_total(const philox_engine::key_type& key, std::uint64_t total,
                                       std::uint64_t num_targets, std::uint64_t first, std::uint64_t last);

}  // namespace hetspike
