#pragma once
// The default placement of neurons on ranks (DESIGN.md, "Partitioning"): each population is cut into
// contiguous blocks of gids, one per rank, sized by rank weight (all equal unless a heterogeneous run says
// otherwise). Any rank finds any gid's owner in O(log ranks) from per-population block boundaries; no rank
// stores a table of every neuron. Ranks are only numbers here.
#include <cstdint>
#include <vector>

#include "kernels/types.hpp"

namespace hetspike {

/// The neurons of one population that one rank owns, and where they sit among the rank's local neurons.
struct local_range {
  std::size_t population = 0;
  gid_type first_gid = 0;
  std::uint64_t count = 0;
  lid_type first_lid = 0;
};

class block_partition {
 public:
  /// `rank_weights` empty means equal weights; otherwise one positive weight per rank. `eligible`, when given,
  /// says per population which ranks may hold it (a heterogeneous run places populations of a neuromorphic
  /// model on neuromorphic ranks only); the others get empty blocks. Every population needs an eligible rank.
  block_partition(const std::vector<std::uint64_t>& population_sizes, int num_ranks,
                  const std::vector<double>& rank_weights = {}, const std::vector<std::vector<bool>>& eligible = {});

  int num_ranks() const { return num_ranks_; }
  std::size_t num_populations() const { return population_offsets_.size() - 1; }
  gid_type num_neurons() const { return population_offsets_.back(); }
  gid_type population_offset(std::size_t population) const { return population_offsets_[population]; }
  std::uint64_t population_size(std::size_t population) const {
    return population_offsets_[population + 1] - population_offsets_[population];
  }

  std::size_t population_of(gid_type gid) const;
  int owner(gid_type gid) const;

  /// The rank's neurons, population by population; local ids count up from 0 in this order.
  std::vector<local_range> local_ranges(int rank) const;
  std::uint64_t num_local(int rank) const;

  /// The gids of `population` that `rank` owns: [first, last).
  std::pair<gid_type, gid_type> block(std::size_t population, int rank) const;

 private:
  int num_ranks_;
  std::vector<gid_type> population_offsets_;            ///< populations + 1
  std::vector<std::vector<std::uint64_t>> boundaries_;  ///< per population: ranks + 1, population-relative
};

}  // namespace hetspike
