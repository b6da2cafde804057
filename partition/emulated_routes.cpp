#include "partition/emulated_routes.hpp"

#include <algorithm>
#include <cmath>

#include "kernels/random.hpp"
#include "partition/connection_rules.hpp"
#include "partition/connectivity_builder.hpp"
#include "partition/source_placement_impl.hpp"

namespace hetspike {

namespace {

bool certain(const projection_spec& p) {
  return p.rule == connection_rule::one_to_one || p.rule == connection_rule::all_to_all;
}

/// The ranks that surely hold a row of neuron `index` of its population: by one_to_one, the owner of the target
/// with its index; by all_to_all, every rank with targets. Ascending, without `rank`.
std::vector<std::uint32_t> certain_ranks(const network_spec& net, const block_partition& partition, int rank,
                                         std::size_t population, std::uint64_t index) {
  std::vector<std::uint32_t> out;
  for (const auto& p : net.projections) {
    if (p.source != population || !certain(p)) continue;
    const bool self_excluded = p.source == p.target && !p.autapses;
    if (p.rule == connection_rule::one_to_one) {
      if (self_excluded || index >= partition.population_size(p.target)) continue;
      out.push_back(static_cast<std::uint32_t>(partition.owner(partition.population_offset(p.target) + index)));
    } else {
      for (int q = 0; q < partition.num_ranks(); ++q) {
        const auto [first, last] = partition.block(p.target, q);
        if (last > first) out.push_back(static_cast<std::uint32_t>(q));
      }
    }
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  out.erase(std::remove(out.begin(), out.end(), static_cast<std::uint32_t>(rank)), out.end());
  return out;
}

}  // namespace

std::vector<std::vector<double>> row_probabilities(const network_spec& net, const block_partition& partition,
                                                   int rank) {
  std::vector<std::vector<double>> out(net.populations.size(), std::vector<double>(partition.num_ranks(), 0.0));
  const auto by_source = index_projections_by_source(net);
  for (std::size_t sp = 0; sp < net.populations.size(); ++sp)
    for (int q = 0; q < partition.num_ranks(); ++q) {
      if (q == rank) continue;
      double none = 1.0;
      for (const std::size_t i : by_source.of(sp)) {
        const auto& p = net.projections[i];
        if (certain(p)) continue;
        const auto [first, last] = partition.block(p.target, q);
        none *= synapses_per_source(p, static_cast<double>(last - first),
                                    static_cast<double>(partition.population_size(sp)),
                                    static_cast<double>(partition.population_size(p.target)), p.source == p.target)
                    .none();
      }
      out[sp][q] = 1.0 - none;
    }
  return out;
}

routing_table drawn_routes(const network_spec& net, const block_partition& partition, int rank,
                           const local_layout& layout, const std::vector<std::uint32_t>& own_row, int threads) {
  const auto pi = row_probabilities(net, partition, rank);
  std::vector<double> pi_max;
  for (const auto& p : pi) pi_max.push_back(p.empty() ? 0.0 : *std::max_element(p.begin(), p.end()));
  const auto ranks = static_cast<std::uint64_t>(partition.num_ranks());
  auto routes_of = [&](lid_type lid, auto&& emit) {
    const auto it = std::find_if(layout.populations.begin(), layout.populations.end(), [&](const local_population& lp) {
      return lid >= lp.first_lid && lid < lp.first_lid + lp.count;
    });
    const std::size_t sp = it->population;
    const std::uint64_t index = it->first_gid - partition.population_offset(sp) + (lid - it->first_lid);
    const auto sure = certain_ranks(net, partition, rank, sp, index);
    random_stream stream(make_rng_key(net.seed, rng_purpose::emulated_routes, static_cast<std::uint32_t>(sp)),
                         it->first_gid + (lid - it->first_lid));
    const double top = pi_max[sp];
    const double log_miss = top < 1.0 ? std::log1p(-top) : 0.0;
    std::size_t next_sure = 0;
    bool own_done = own_row[lid] == no_row;
    auto put = [&](std::uint64_t q, std::uint32_t row) {
      if (!own_done && q > static_cast<std::uint64_t>(rank)) own_done = true, emit(rank, own_row[lid]);
      emit(q, row);
    };
    // Stochastic ranks by geometric skips over the ranks, thinned to each rank's own probability.
    std::uint64_t q = 0;
    while (top > 0 && q < ranks) {
      if (top < 1.0) {
        const double skip = std::floor(std::log(stream.uniform_pos()) / log_miss);
        if (skip >= static_cast<double>(ranks - q)) break;
        q += static_cast<std::uint64_t>(skip);
      }
      const bool hit = pi[sp][q] >= top || stream.uniform() * top < pi[sp][q];
      for (; next_sure < sure.size() && sure[next_sure] < q; ++next_sure) put(sure[next_sure], 0);
      const bool is_sure = next_sure < sure.size() && sure[next_sure] == q;
      if (is_sure) ++next_sure;
      if (hit || is_sure) put(q, 0);
      ++q;
    }
    for (; next_sure < sure.size(); ++next_sure) put(sure[next_sure], 0);
    if (!own_done) emit(rank, own_row[lid]);
  };
  return routing_table::generate(layout.num_local, threads > 0 ? threads : default_build_threads(), routes_of);
}

namespace {

/// Places nothing: the replay needs the rows only.
struct rows_only {
  bool visits(std::size_t) const { return false; }
  void target(int, const source_placement::projection_run&, std::uint64_t, std::uint32_t,
              const std::vector<std::uint32_t>&, bool) {}
  bool stashes(std::uint32_t) const { return false; }
  void stash_begin(const source_placement&, const std::vector<std::uint64_t>&) {}
  void move_each(std::uint32_t, std::span<const std::uint32_t>, const std::uint16_t*, std::uint32_t) {}
  void stash_end() {}
};

/// Notes the rows rank `holder` has for neurons of the emulated rank's block of one population.
struct foreign_rows {
  std::vector<std::uint32_t>& row_of;  ///< per local neuron of the emulated rank
  std::uint64_t first = 0, count = 0;  ///< the emulated rank's block, population-relative
  lid_type first_lid = 0;
  wanted_sources wanted() const { return {false, first, count, nullptr}; }
  void rows(const row_parts&) {}
  void operator()(std::uint64_t source, std::uint32_t row) {
    if (source - first < count) row_of[first_lid + (source - first)] = row;
  }
};

}  // namespace

routing_table replayed_routes(const network_spec& net, const block_partition& partition, int rank,
                              const local_layout& layout, const std::vector<std::uint32_t>& own_row,
                              const placement_options& options) {
  std::vector<row_announcement> announcements;
  std::vector<int> per_rank(partition.num_ranks(), 0);
  std::vector<std::uint32_t> row_of(layout.num_local);
  for (int q = 0; q < partition.num_ranks(); ++q) {
    if (q == rank) {
      row_of = own_row;
    } else {
      std::fill(row_of.begin(), row_of.end(), no_row);
      const auto holder = make_local_layout(net, partition, q);
      const auto table = make_class_table(net, holder);
      std::vector<std::unique_ptr<source_placement>> placements;
      rows_only sink;
      std::vector<synapse_class> classes = table.classes;
      std::uint64_t first = 0;
      for (std::size_t sp = 0; sp < net.populations.size(); ++sp) {
        placements.push_back(std::make_unique<source_placement>(net, partition, holder, table, sp, options));
        placements.back()->count(sink);
        for (std::uint32_t k = 0; k < placements.back()->num_classes(); ++k) {
          classes[table.population_first[sp] + k].first = first;
          first += placements.back()->class_sizes()[k];
        }
      }
      row_parts scratch;
      for (std::size_t sp = 0; sp < net.populations.size(); ++sp) {
        const auto& own = layout.populations[sp];
        foreign_rows rows{row_of, own.first_gid - partition.population_offset(sp), own.count, own.first_lid};
        placements[sp]->place(classes, scratch, sink, rows);
        placements[sp].reset();
      }
    }
    for (std::uint64_t lid = 0; lid < layout.num_local; ++lid)
      if (row_of[lid] != no_row) announcements.push_back({static_cast<std::uint32_t>(lid), row_of[lid]}), ++per_rank[q];
  }
  return routing_table::from_announcements(layout.num_local, announcements, per_rank);
}

}  // namespace hetspike
