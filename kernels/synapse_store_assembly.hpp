#pragma once
// A small synapse store from explicit lists of synapses per source, laid out by the row planner as the builder
// lays out a rank's store: for tests and the kernel benchmark, which need a store without a network. (The builder
// in partition/ never holds such lists: it counts, plans, then places synapses straight into the store.)
#include <Kokkos_Core.hpp>

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "kernels/row_planner.hpp"
#include "kernels/synapse_store.hpp"

namespace hetspike {

/// One synapse of a source: its class, target offset within the class's block and, where the class keeps them
/// per synapse, its weight and delay.
struct explicit_synapse {
  std::uint32_t cls = 0;
  std::uint16_t target_offset = 0;
  std::int32_t weight = 0;
  std::uint8_t delay = 1;
  double plastic_weight = 0;
};

struct assembled_store {
  synapse_store<Kokkos::HostSpace> store;
  std::vector<std::uint32_t> row_of_source;  ///< per source, its row (sources without synapses: ~0u)
};

/// `classes`: column, projection and weight/delay settings of each class (first and shifts are set here), the
/// classes of one source population consecutive; `class_population[c]`: the source population of class c;
/// `source_population[s]`: that of source s, ascending; `synapses[s]`: the synapses of source s, whose order
/// within a class is kept.
inline assembled_store assemble_synapse_store(std::vector<synapse_class> classes,
                                              const std::vector<std::uint32_t>& class_population,
                                              const std::vector<std::uint32_t>& source_population,
                                              const std::vector<std::vector<explicit_synapse>>& synapses) {
  assembled_store out;
  row_arrays arrays;
  std::vector<std::vector<std::uint32_t>> class_positions(synapses.size());
  std::vector<std::uint64_t> class_size(classes.size(), 0);
  out.row_of_source.assign(synapses.size(), ~0u);
  std::size_t s = 0;
  while (s < synapses.size()) {
    const std::uint32_t pop = source_population[s];
    std::size_t end = s;
    while (end < synapses.size() && source_population[end] == pop) ++end;
    const auto first = static_cast<std::uint32_t>(std::find(class_population.begin(), class_population.end(), pop) -
                                                  class_population.begin());
    const auto n = static_cast<std::uint32_t>(std::count(class_population.begin(), class_population.end(), pop));
    std::vector<std::uint8_t> plastic;
    for (std::uint32_t k = 0; k < n; ++k) plastic.push_back(classes[first + k].plastic);
    row_planner planner(first, plastic);
    std::vector<std::uint32_t> counts(n);
    auto count_of = [&](std::size_t src) {
      std::fill(counts.begin(), counts.end(), 0u);
      for (const auto& syn : synapses[src]) ++counts[syn.cls - first];
      return std::any_of(counts.begin(), counts.end(), [](std::uint32_t c) { return c != 0; });
    };
    std::vector<row_planner::tally> tally{planner.make_tally()};
    for (std::size_t src = s; src < end; ++src)
      if (count_of(src)) planner.count(counts.data(), tally[0]);
    std::vector<std::uint64_t> sizes;
    auto cursors = planner.lay_out(tally, arrays, sizes);
    for (std::uint32_t k = 0; k < n; ++k) class_size[first + k] = sizes[k];
    for (std::size_t src = s; src < end; ++src) {
      if (!count_of(src)) continue;
      class_positions[src].assign(n, 0);
      out.row_of_source[src] = planner.place(cursors[0], counts.data(), class_positions[src].data(), arrays);
    }
    s = end;
  }
  const auto n = lay_out_classes(classes, class_size);
  auto& st = out.store;
  st.target_offset = decltype(st.target_offset)("targets", n.synapses);
  st.weight = decltype(st.weight)("weights", n.weights);
  st.delay = decltype(st.delay)("delays", n.delays);
  st.plastic_weight = decltype(st.plastic_weight)("plastic_weights", n.plastic_weights);
  for (std::size_t src = 0; src < synapses.size(); ++src) {
    std::vector<std::uint32_t> next = class_positions[src];
    for (const auto& syn : synapses[src]) {
      const auto& cls = classes[syn.cls];
      const auto population_first = static_cast<std::uint32_t>(
          std::find(class_population.begin(), class_population.end(), class_population[syn.cls]) -
          class_population.begin());
      const std::uint64_t k = cls.first + next[syn.cls - population_first]++;
      st.target_offset(k) = syn.target_offset;
      if (cls.has_weights) st.weight(k + cls.weight_shift) = syn.weight;
      if (cls.plastic) st.plastic_weight(k + cls.weight_shift) = syn.plastic_weight;
      if (cls.has_delays) st.delay(k + cls.delay_shift) = syn.delay;
    }
  }
  install_rows(arrays, classes, st);
  return out;
}

}  // namespace hetspike
