#include "partition/rank_estimate.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

#include "kernels/row_planner.hpp"
#include "partition/block_partition.hpp"
#include "partition/connection_rules.hpp"
#include "partition/drawn_sources.hpp"
#include "partition/local_network.hpp"
#include "partition/network_summary.hpp"
#include "partition/source_placement.hpp"

namespace hetspike {

namespace {

/// The bucketed stash's room over what it holds, for stretches that expect m synapses each.
double stash_room(double m) { return m > 0 ? stretch_room(m, placement_options{}.room_margin) / m : 1; }

/// One class of a source population on the rank: its projection's law for one source, and its synapse bytes.
struct class_law {
  synapse_count_law law;
  double value_bytes = 0;  ///< per synapse beyond the 2-byte target: weight (4 or plastic 8), delay (1)
  bool plastic = false;
};

/// Expected rows of one source population's neurons on the rank, by layout, with what they cost.
struct population_rows {
  double rows = 0, single = 0, run = 0, list = 0, table = 0, segments = 0, plastic_slots = 0, bytes = 0;
};

population_rows rows_of(const std::vector<class_law>& classes, double sources) {
  const std::size_t n = classes.size();
  population_rows out;
  if (n == 0 || sources <= 0) return out;
  std::vector<double> none(n), one(n);
  for (std::size_t k = 0; k < n; ++k) none[k] = classes[k].law.none(), one[k] = classes[k].law.exactly_one();
  // Per source: no synapse in any class, one synapse in all, several in exactly one class, or some in several.
  // The product of the other classes' `none`, from prefix and suffix products: O(n), for ranks with thousands of
  // target blocks (a class per projection and block of 65,536 targets).
  std::vector<double> suffix(n + 1, 1.0);
  for (std::size_t k = n; k-- > 0;) suffix[k] = suffix[k + 1] * none[k];
  const double p_none = suffix[0];
  double single = 0, run = 0, plastic_run = 0, prefix = 1;
  for (std::size_t k = 0; k < n; ++k) {
    const double others = prefix * suffix[k + 1];
    prefix *= none[k];
    single += one[k] * others;
    run += (1 - none[k] - one[k]) * others;
    if (classes[k].plastic) plastic_run += (1 - none[k]) * others;
  }
  // Sources with synapses in m classes (Poisson binomial): tables from the m where a table is no dearer than a list.
  // Only the band [low, high] of m that holds more than 1e-30 of the mass is carried (linear in the classes where
  // the band is narrow); what falls outside is below what any rank's source count could show.
  constexpr double negligible = 1e-30;
  std::vector<double> present(n + 1, 0.0);
  present[0] = 1;
  std::size_t low = 0, high = 0;
  for (std::size_t k = 0; k < n; ++k) {
    for (std::size_t m = high + 1; m-- > low;) present[m + 1] += present[m] * (1 - none[k]), present[m] *= none[k];
    if (present[high + 1] > negligible) ++high;
    while (low < high && present[low] <= negligible) present[low++] = 0;
  }
  double list = 0, table = 0, segments = 0;
  for (std::size_t m = 2; m <= n; ++m) {
    const bool as_table = table_row_bytes_per_class * static_cast<double>(n) <=
                          list_row_bytes + list_segment_bytes * static_cast<double>(m);
    (as_table ? table : list) += present[m];
    if (!as_table) segments += static_cast<double>(m) * present[m];
  }
  const bool any_plastic = std::any_of(classes.begin(), classes.end(), [](const class_law& c) { return c.plastic; });
  out.rows = sources * (1 - p_none);
  out.single = sources * single, out.run = sources * run, out.list = sources * list, out.table = sources * table;
  out.segments = sources * segments;
  out.plastic_slots = any_plastic ? sources * (plastic_run + list + table) : 0;
  out.bytes = run_row_bytes * out.run + list_row_bytes * out.list + list_segment_bytes * out.segments +
              table_row_bytes_per_class * static_cast<double>(n) * out.table;
  return out;
}

}  // namespace

double rank_estimate::peak(bool emulated) const {
  // The placement's temporaries come while the synapse arrays exist, the announcements once the rows do too; the
  // routes and the plastic state after both.
  const double building = synapse_bytes + placement_bytes + neuron_bytes;
  const double routing = emulated ? 0.0 : synapse_bytes + row_bytes + announcement_bytes + neuron_bytes;
  return std::max({building, routing, after_build()});
}

rank_estimate estimate_rank(const network_spec& net, int ranks, int rank, int threads) {
  rank_estimate e;
  e.ranks = ranks, e.rank = rank, e.threads = threads;
  std::vector<std::uint64_t> sizes;
  for (const auto& p : net.populations) sizes.push_back(p.size);
  const block_partition partition(sizes, ranks);
  // First: the layout refuses a rank that local ids cannot count, before the work that grows with its neurons.
  const local_layout layout = make_local_layout(net, partition, rank);
  const auto summary = summarize_network(net);
  double placement = 0;
  std::vector<double> store, draws;  // per source population: its synapses' bytes, its draw's if kept
  const auto by_source = index_projections_by_source(net);
  for (std::size_t sp = 0; sp < net.populations.size(); ++sp) {
    const double ns = static_cast<double>(net.populations[sp].size);
    // As the build refuses them, before their laws take time and memory: at most max_source_classes blocks.
    std::uint64_t blocks = 0;
    for (const std::size_t i : by_source.of(sp)) {
      const auto [first, last] = partition.block(net.projections[i].target, rank);
      blocks += (last - first + segment_block_size - 1) / segment_block_size;
    }
    check_source_classes(net.populations[sp].name, blocks);
    std::vector<class_law> classes;
    double synapses = 0, values = 0, stashed_values = 0, widest = 1, targets = 0;
    for (const std::size_t i : by_source.of(sp)) {
      const auto& p = net.projections[i];
      const auto [first, last] = partition.block(p.target, rank);
      targets += static_cast<double>(last - first);
      const double weight = synapse_weight_bytes(p), delay = synapse_delay_bytes(p);
      for (std::uint64_t b = first; b < last; b += segment_block_size) {
        const double n = static_cast<double>(std::min<std::uint64_t>(last - b, segment_block_size));
        widest = std::max(widest, n);
        const auto law =
            synapses_per_source(p, n, ns, static_cast<double>(net.populations[p.target].size), p.source == p.target);
        classes.push_back({law, weight + delay, p.plasticity.has_value()});
        synapses += ns * law.mean();
        values += ns * law.mean() * (weight + delay);
        // A constant initial plastic weight is written where the synapse lands, not stashed (synapse_writer).
        stashed_values += ns * law.mean() * ((p.plasticity && p.weight.is_constant() ? 0 : weight) + delay);
      }
    }
    e.synapses += synapses;
    e.synapse_bytes += 2 * synapses + values;
    const auto r = rows_of(classes, ns);
    e.rows += r.rows, e.single_rows += r.single, e.run_rows += r.run, e.list_rows += r.list, e.table_rows += r.table;
    e.list_segments += r.segments, e.plastic_slots += r.plastic_slots, e.row_bytes += r.bytes;
    // As the placement chooses: its keys' offsets take the bits the widest class block needs.
    const int offset_bits = key_offset_bits(static_cast<std::uint64_t>(widest));
    const auto how = choose_placement(synapses, ns, static_cast<std::uint32_t>(classes.size()), threads,
                                      placement_method::automatic, 32 - offset_bits);
    store.push_back(2 * synapses + values);
    const bool keeps = how.shift == 0 && drawn_sources::fits(net.populations[sp].size);
    draws.push_back(keeps ? drawn_sources::bytes(synapses, targets) : 0);
    // Every population is drawn before the store is allocated: their counters or stashes are held together.
    if (how.shift == 0)
      placement += 4.0 * static_cast<double>(classes.size()) * ns * how.threads;
    else
      placement +=
          stash_room(synapses * std::ldexp(1.0, how.shift) / ns / static_cast<double>(classes.size()) / how.threads) *
          (4 * synapses + stashed_values);  // keys, weights and delays
  }
  // The draws kept for placing, as the builder chooses them (drawn_sources.hpp).
  placement += choose_kept_draws(store, draws).beyond_store;
  for (const auto& lp : layout.populations) {
    // The model's state, statistics, spike flags, ring columns (one per receptor) over d_max slots.
    const auto& params = net.populations[lp.population].params;
    e.neurons += static_cast<double>(lp.count);
    e.neuron_bytes +=
        static_cast<double>(lp.count) * (static_cast<double>(state_bytes(params)) + 32.0 + 1.0 +
                                         8.0 * input_channels(params) * static_cast<double>(summary.d_max));
  }
  // Each rank holds as many rows as its neurons have routes (equal ranks, so by symmetry): 6 bytes each.
  e.routes = e.rows;
  e.route_bytes = 6 * e.routes + 8 * (e.neurons + 1);
  e.plastic_bytes = 16 * e.plastic_slots;
  e.placement_bytes = placement;
  // A real job tells the sources' owners its rows (8 bytes each) and receives its own neurons' routes (8 bytes each).
  e.announcement_bytes = 8 * e.rows + 8 * e.routes;
  return e;
}

}  // namespace hetspike
