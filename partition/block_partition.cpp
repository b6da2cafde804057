#include "partition/block_partition.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>

#include "partition/error.hpp"

namespace hetspike {

namespace {

/// Block boundaries of a population of n neurons over ranks with the given cumulative weights.
std::vector<std::uint64_t> cut(std::uint64_t n, const std::vector<double>& weights) {
  const std::size_t ranks = weights.size();
  std::vector<std::uint64_t> b(ranks + 1, 0);
  const double total = std::accumulate(weights.begin(), weights.end(), 0.0);
  const bool equal = std::all_of(weights.begin(), weights.end(), [&](double w) { return w == weights[0]; });
  double cumulative = 0;
  for (std::size_t r = 1; r < ranks; ++r) {
    cumulative += weights[r - 1];
    if (equal)  // exact integer arithmetic for the common case: block r starts at floor(n r / ranks)
      b[r] = static_cast<std::uint64_t>(static_cast<unsigned __int128>(n) * r / ranks);
    else
      b[r] = std::min<std::uint64_t>(
          n, static_cast<std::uint64_t>(std::llround(static_cast<double>(n) * cumulative / total)));
    b[r] = std::max(b[r], b[r - 1]);
  }
  b[ranks] = n;
  return b;
}

}  // namespace

block_partition::block_partition(const std::vector<std::uint64_t>& population_sizes, int num_ranks,
                                 const std::vector<double>& rank_weights,
                                 const std::vector<std::vector<bool>>& eligible)
    : num_ranks_(num_ranks), population_offsets_{0} {
  if (num_ranks < 1) throw internal_error("block_partition: need at least one rank");
  std::vector<double> weights = rank_weights.empty() ? std::vector<double>(num_ranks, 1.0) : rank_weights;
  if (static_cast<int>(weights.size()) != num_ranks)
    throw input_error("rank weights: " + std::to_string(weights.size()) + " weights for " + std::to_string(num_ranks) +
                      " ranks; give one weight per rank");
  for (double w : weights)
    if (!(w > 0) || !std::isfinite(w))
      throw input_error("rank weights: " + std::to_string(w) + " is not allowed; every weight must be positive");
  for (std::size_t p = 0; p < population_sizes.size(); ++p) {
    const auto n = population_sizes[p];
    population_offsets_.push_back(population_offsets_.back() + n);
    if (eligible.empty()) {
      boundaries_.push_back(cut(n, weights));
      continue;
    }
    // Cut over the eligible ranks only; an ineligible rank's block is empty (its boundary repeats).
    std::vector<double> w;
    std::vector<int> ranks;
    for (int r = 0; r < num_ranks; ++r)
      if (eligible[p][r]) w.push_back(weights[r]), ranks.push_back(r);
    if (ranks.empty())
      throw input_error("population " + std::to_string(p) +
                        " has no rank that can hold it; run with a rank of its kind");
    const auto sub = cut(n, w);
    std::vector<std::uint64_t> b(num_ranks + 1, 0);
    std::size_t k = 0;
    for (int r = 0; r < num_ranks; ++r) {
      b[r] = sub[k];
      if (k < ranks.size() && ranks[k] == r) ++k;
    }
    b[num_ranks] = n;
    boundaries_.push_back(std::move(b));
  }
}

std::size_t block_partition::population_of(gid_type gid) const {
  const auto it = std::upper_bound(population_offsets_.begin(), population_offsets_.end(), gid);
  return static_cast<std::size_t>(it - population_offsets_.begin()) - 1;
}

int block_partition::owner(gid_type gid) const {
  if (gid >= num_neurons())
    throw internal_error("block_partition::owner: gid " + std::to_string(gid) + " out of range");
  const std::size_t p = population_of(gid);
  const auto& b = boundaries_[p];
  const std::uint64_t index = gid - population_offsets_[p];
  // The last rank whose block starts at or before index: empty blocks before it share its start.
  const auto it = std::upper_bound(b.begin(), b.end() - 1, index);
  return static_cast<int>(it - b.begin()) - 1;
}

std::pair<gid_type, gid_type> block_partition::block(std::size_t population, int rank) const {
  const auto& b = boundaries_[population];
  const gid_type off = population_offsets_[population];
  return {off + b[rank], off + b[rank + 1]};
}

std::vector<local_range> block_partition::local_ranges(int rank) const {
  std::vector<local_range> ranges;
  lid_type next_lid = 0;
  for (std::size_t p = 0; p < num_populations(); ++p) {
    const auto [first, last] = block(p, rank);
    ranges.push_back({p, first, last - first, next_lid});
    next_lid += static_cast<lid_type>(last - first);
  }
  return ranges;
}

std::uint64_t block_partition::num_local(int rank) const {
  std::uint64_t n = 0;
  for (std::size_t p = 0; p < num_populations(); ++p) {
    const auto [first, last] = block(p, rank);
    n += last - first;
  }
  return n;
}

}  // namespace hetspike
