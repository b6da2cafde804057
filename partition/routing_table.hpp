#pragma once
// Where each local neuron's spikes go: the ranks that hold a row of it and the row there (DESIGN.md, "The simulation
// loop": a spike message carries the receiver's row). Per neuron its ranks ascend, so a route keeps the distance to
// the previous rank (16 bits) and the row (32 bits): 6 bytes a route, the sender's half of the memory floor of a
// sparse network (docs/scaling.md). A gap of more than 65,535 ranks takes extra "hop" entries that route nowhere.
// Ranks are only numbers here: the tables come from announcements (collected by runtime/) or from a generator.
#include <algorithm>
#include <cstdint>
#include <span>
#include <vector>

#include "kernels/types.hpp"
#include "partition/parallel_chunks.hpp"

namespace hetspike {

/// A rank holds row `row` for the receiving rank's local neuron `lid`.
struct row_announcement {
  std::uint32_t lid;
  std::uint32_t row;
};

class routing_table {
 public:
  routing_table() = default;

  /// From the announcements of every rank in rank order (per_rank[r] from rank r); at most one per neuron and rank.
  static routing_table from_announcements(std::uint64_t num_local, std::span<const row_announcement> announcements,
                                          const std::vector<int>& per_rank);

  /// From a generator: routes_of(lid, emit) calls emit(rank, row) for each route of neuron lid, ranks ascending,
  /// the same each time (it is called twice per neuron, from any thread: to count, then to store).
  template <class G>
  static routing_table generate(std::uint64_t num_local, int threads, G&& routes_of);

  /// Calls f(rank, row) for each route of the neuron, ranks ascending.
  template <class F>
  void for_each_route(lid_type lid, F&& f) const {
    std::uint64_t rank = 0;
    for (std::uint64_t k = begin_[lid]; k < begin_[lid + 1]; ++k) {
      rank += delta_[k];
      if (row_[k] != hop) f(static_cast<std::uint32_t>(rank), row_[k]);
    }
  }

  std::uint64_t num_local() const { return begin_.empty() ? 0 : begin_.size() - 1; }
  std::uint64_t num_routes() const { return routes_; }
  /// Routes of one neuron (hops not counted).
  std::uint64_t num_routes(lid_type lid) const;
  std::uint64_t bytes() const { return begin_.size() * 8 + delta_.size() * 2 + row_.size() * 4; }
  /// A hash of the whole table: tables built apart are equal when their hashes are.
  std::uint64_t content_hash_value() const;

 private:
  static constexpr std::uint32_t hop = ~0u;
  static constexpr std::uint64_t max_delta = 65535;
  /// Entries a route takes that lies `delta` ranks after the previous one (or after rank 0, for a neuron's first).
  static std::uint64_t entries(std::uint64_t delta) { return delta == 0 ? 1 : (delta - 1) / max_delta + 1; }
  void allocate(std::uint64_t num_local);
  /// Stores one route at entry `at` (advanced past it and its hops), `previous` being the rank of the one before.
  void store(std::uint64_t& at, std::uint64_t previous, std::uint64_t rank, std::uint32_t row);

  std::vector<std::uint64_t> begin_;  ///< per neuron + 1, into delta_/row_
  std::vector<std::uint16_t> delta_;
  std::vector<std::uint32_t> row_;
  std::uint64_t routes_ = 0;
};

template <class G>
routing_table routing_table::generate(std::uint64_t num_local, int threads, G&& routes_of) {
  routing_table t;
  t.begin_.assign(num_local + 1, 0);
  const std::uint64_t chunks = std::min<std::uint64_t>(num_local, 64 * static_cast<std::uint64_t>(threads));
  auto chunk_begin = [&](std::uint64_t q) { return num_local * q / chunks; };
  std::vector<std::uint64_t> routes(chunks, 0);
  parallel_chunks(chunks, threads, [&](std::size_t q) {
    for (std::uint64_t lid = chunk_begin(q); lid < chunk_begin(q + 1); ++lid) {
      std::uint64_t n = 0, previous = 0;
      routes_of(static_cast<lid_type>(lid), [&](std::uint64_t rank, std::uint32_t) {
        n += entries(rank - previous);
        previous = rank;
        ++routes[q];
      });
      t.begin_[lid + 1] = n;
    }
  });
  for (std::uint64_t lid = 0; lid < num_local; ++lid) t.begin_[lid + 1] += t.begin_[lid];
  for (auto n : routes) t.routes_ += n;
  t.allocate(num_local);
  parallel_chunks(chunks, threads, [&](std::size_t q) {
    for (std::uint64_t lid = chunk_begin(q); lid < chunk_begin(q + 1); ++lid) {
      std::uint64_t at = t.begin_[lid], previous = 0;
      routes_of(static_cast<lid_type>(lid), [&](std::uint64_t rank, std::uint32_t row) {
        t.store(at, previous, rank, row);
        previous = rank;
      });
    }
  });
  return t;
}

}  // namespace hetspike
