#include "partition/connectivity_builder.hpp"

#include <algorithm>
#include <memory>
#include <string>

#if defined(__linux__)
#include <sys/mman.h>
#endif

#include "partition/error.hpp"
#include "partition/source_placement_impl.hpp"
#include "partition/synapse_writer.hpp"

namespace hetspike {

namespace {

/// Asks the kernel for 2 MiB pages under a large synapse array (where transparent huge pages are on "madvise", as on
/// Debian): building writes and delivery reads it at scattered places, and with 4 KiB pages nearly every one of
/// them is a TLB miss. Only whole huge pages inside the array are advised; a refusal costs nothing but speed.
template <class View>
void advise_huge_pages(const View& v) {
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  constexpr std::uintptr_t huge = std::uintptr_t{1} << 21;
  const auto begin = reinterpret_cast<std::uintptr_t>(v.data());
  const std::uintptr_t end = begin + v.size() * sizeof(typename View::value_type);
  const std::uintptr_t first = (begin + huge - 1) & ~(huge - 1), last = end & ~(huge - 1);
  if (last > first) madvise(reinterpret_cast<void*>(first), last - first, MADV_HUGEPAGE);
#else
  (void)v;
#endif
}

template <class T>
Kokkos::View<T*, Kokkos::HostSpace> uninitialized(const char* label, std::uint64_t n) {
  Kokkos::View<T*, Kokkos::HostSpace> v(Kokkos::view_alloc(Kokkos::WithoutInitializing, std::string(label)), n);
  advise_huge_pages(v);
  return v;
}

/// The classes laid out and the store's per-synapse arrays allocated for them.
std::vector<synapse_class> sized_classes(const class_table& table, const std::vector<std::uint64_t>& sizes,
                                         synapse_store<Kokkos::HostSpace>& store) {
  std::vector<synapse_class> classes = table.classes;
  const auto n = lay_out_classes(classes, sizes);
  store.target_offset = uninitialized<std::uint16_t>("hetspike::synapses::target", n.synapses);
  store.weight = uninitialized<std::int32_t>("hetspike::synapses::weight", n.weights);
  store.plastic_weight = uninitialized<double>("hetspike::synapses::plastic_weight", n.plastic_weights);
  store.delay = uninitialized<std::uint8_t>("hetspike::synapses::delay", n.delays);
  return classes;
}

/// Notes each row's source (if kept), the rows of this rank's own neurons, for the spike exchange, and those of the
/// sources the caller wants.
struct row_recorder {
  built_connectivity& out;
  bool keep_sources;
  std::uint64_t own_first = 0, own_count = 0;  ///< the rank's block of the population, population-relative
  lid_type own_first_lid = 0;
  const std::vector<std::uint32_t>* wanted_list = nullptr;  ///< ascending
  std::vector<std::uint32_t>* wanted_rows = nullptr;

  /// The wanted source's index in `wanted_list`, or -1.
  std::int64_t wanted_index(std::uint64_t source) const {
    if (wanted_list == nullptr || wanted_list->empty()) return -1;
    const auto it = std::lower_bound(wanted_list->begin(), wanted_list->end(), source);
    return it != wanted_list->end() && *it == source ? it - wanted_list->begin() : -1;
  }
  wanted_sources wanted() const { return {keep_sources, own_first, own_count, wanted_list}; }
  void rows(const row_parts& parts) {
    const std::uint64_t num_rows = total_rows(parts);
    if (num_rows >= no_row || total_list_segments(parts) >= no_row)
      throw capacity_error(
          "more than 2^32 - 2 source neurons (or row segments) project onto one rank; run on more "
          "ranks");
    if (keep_sources) out.row_source.resize(num_rows);
  }
  void operator()(std::uint64_t source, std::uint32_t row) {  // only for the sources it wants
    if (keep_sources) out.row_source[row] = static_cast<std::uint32_t>(source);
    if (source - own_first < own_count) out.own_row[own_first_lid + (source - own_first)] = row;
    if (const auto i = wanted_index(source); i >= 0) (*wanted_rows)[static_cast<std::size_t>(i)] = row;
  }
};

/// Delays and chip quantisation of the constant-valued projections, from their synapse counts.
void add_constant_values(const network_spec& net, const class_table& table, const std::vector<std::uint64_t>& sizes,
                         built_connectivity& out) {
  std::vector<std::uint64_t> per_projection(net.projections.size(), 0);
  for (std::size_t c = 0; c < table.classes.size(); ++c) per_projection[table.classes[c].projection] += sizes[c];
  for (std::size_t i = 0; i < net.projections.size(); ++i) {
    const auto& p = net.projections[i];
    const std::uint64_t n = per_projection[i];
    if (n == 0) continue;
    if (p.delay.is_constant()) {
      const auto steps = checked_delay(delay_steps(p.delay.a, net.dt), false, i, net.dt);
      out.min_delay = std::min<std::int64_t>(out.min_delay, steps);
      out.max_delay = std::max<std::int64_t>(out.max_delay, steps);
    }
    if (!p.weight.is_constant() || p.plasticity) continue;
    // A constant weight into a population with fixed-width weights: quantised once, counted for each of its local
    // synapses.
    const double w = p.weight.a;
    const auto q = quantized_weight(table.target_params[i], w, w, w);
    if (!q) continue;
    loihi_quantization_summary all;
    all.count = n;
    all.saturated = q->saturated ? n : 0;
    all.max_abs_error = std::abs(q->error);
    all.sum_abs_error = std::abs(q->error) * static_cast<double>(n);
    all.sum_abs_weight = std::abs(w) * static_cast<double>(n);
    out.quantization.merge(all);
  }
}

}  // namespace

built_connectivity build_connectivity(const network_spec& net, const block_partition& partition,
                                      const local_layout& layout, const build_options& options) {
  built_connectivity out;
  const class_table table = make_class_table(net, layout);
  // The first draw of every source population fixes the class sizes, hence the store's arrays.
  std::vector<std::unique_ptr<source_placement>> placements;
  std::vector<std::unique_ptr<synapse_writer>> writers;
  std::vector<std::uint64_t> sizes;
  std::vector<double> store_bytes, draw_bytes;
  for (std::size_t sp = 0; sp < net.populations.size(); ++sp) {
    placements.push_back(std::make_unique<source_placement>(net, partition, layout, table, sp, options.placement));
    store_bytes.push_back(placements.back()->store_bytes());
    draw_bytes.push_back(placements.back()->draw_bytes());
  }
  const auto kept = choose_kept_draws(store_bytes, draw_bytes);
  for (std::size_t sp = 0; sp < net.populations.size(); ++sp) {
    placements[sp]->keep_draws(kept.keep[sp] != 0);
    writers.push_back(std::make_unique<synapse_writer>(net, table, sp, placements[sp]->threads()));
    placements[sp]->count(*writers.back());
    const auto& s = placements[sp]->class_sizes();
    sizes.insert(sizes.end(), s.begin(), s.end());
  }
  auto& store = out.store;
  const auto classes = sized_classes(table, sizes, store);
  row_parts parts;
  out.own_row.assign(layout.num_local, no_row);
  out.rows_of.resize(net.populations.size());
  for (std::size_t sp = 0; sp < net.populations.size(); ++sp) {
    const auto& own = layout.populations[sp];
    row_recorder recorder{out, options.row_sources, own.first_gid - partition.population_offset(sp), own.count,
                          own.first_lid};
    if (sp < options.wanted_sources.size()) {
      recorder.wanted_list = &options.wanted_sources[sp];
      out.rows_of[sp].assign(recorder.wanted_list->size(), no_row);
      recorder.wanted_rows = &out.rows_of[sp];
    }
    out.population_first_row.push_back(total_rows(parts));
    writers[sp]->attach(classes, store);
    placements[sp]->place(classes, parts, *writers[sp], recorder);
    placements[sp].reset();  // its counters and stash: the next population's may take their memory
  }
  out.population_first_row.push_back(total_rows(parts));
  install_row_parts(parts, classes, store,
                    options.placement.threads > 0 ? options.placement.threads : default_build_threads());
  out.num_synapses = store.num_synapses();
  for (const auto& w : writers) {  // in population order: the quantisation sums do not depend on threads
    out.min_delay = std::min(out.min_delay, w->min_delay());
    out.max_delay = std::max(out.max_delay, w->max_delay());
    out.quantization.merge(w->quantization());
  }
  add_constant_values(net, table, sizes, out);
  return out;
}

}  // namespace hetspike
