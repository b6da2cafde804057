#include "partition/synapse_writer.hpp"

#include <algorithm>
#include <limits>

#include "partition/connection_rules.hpp"

namespace hetspike {

namespace {

/// The target runs whose quantisation errors are summed apart (threads take whole runs; see source_placement).
constexpr std::uint64_t quantization_run = 256;

}  // namespace

synapse_writer::synapse_writer(const network_spec& net, const class_table& table, std::size_t population, int threads)
    : net_(net),
      table_(table),
      first_class_(table.population_first[population]),
      min_delay_(threads, std::numeric_limits<std::int64_t>::max()),
      max_delay_(threads, 0) {
  for (std::uint32_t cls = first_class_; cls < table.population_first[population + 1]; ++cls) {
    const value_distribution& w = net.projections[table.classes[cls].projection].weight;
    initial_plastic_weight_.push_back(table.classes[cls].plastic && w.is_constant() ? std::optional(w.a)
                                                                                    : std::nullopt);
  }
  for (const std::size_t i : table.by_source.of(population)) {
    if (!quantizes_weights(table.target_params[i])) continue;
    std::uint64_t targets = 0;
    for (const auto& c : table.classes)
      if (c.projection == i) targets += segment_block_size;
    quantization_[i].resize(targets / quantization_run + 1);
  }
}

void synapse_writer::attach(const std::vector<synapse_class>& classes, synapse_store<Kokkos::HostSpace>& store) {
  classes_ = &classes;
  target_ = store.target_offset.data();
  weight_ = store.weight.data();
  plastic_ = store.plastic_weight.data();
  delay_ = store.delay.data();
}

void synapse_writer::target(int thread, const source_placement::projection_run& run, std::uint64_t local_target,
                            std::uint32_t cls, const std::vector<std::uint32_t>& positions, bool stashed) {
  // A target's synapses land in as many rows as it has sources, far apart: the lines are asked for this many
  // synapses ahead, while the values of the ones before are drawn (written out in the loop: GCC drops a
  // prefetch-only function's calls as free of side effects).
  constexpr std::size_t prefetch_distance = 32;
  const synapse_class& c = table_.classes[cls];
  const std::uint32_t k = cls - first_class_;
  // Where position p's values go: the stash's stretch of the class, or the store's run of it.
  std::uint16_t* target = nullptr;
  std::int32_t* weight = nullptr;
  double* plastic = nullptr;
  std::uint8_t* delay = nullptr;
  // Stashed, a constant initial plastic weight is written by the moves instead.
  const bool writes_plastic = c.plastic && (!stashed || stashes_plastic(cls));
  if (stashed) {
    weight = c.has_weights ? stash_weight_.at(k, 0) : nullptr;
    plastic = writes_plastic ? stash_plastic_.at(k, 0) : nullptr;
    delay = c.has_delays ? stash_delay_.at(k, 0) : nullptr;
  } else {
    const synapse_class& laid = (*classes_)[cls];
    target = target_ + laid.first;
    weight = weight_ + (static_cast<std::int64_t>(laid.first) + laid.weight_shift);
    plastic = plastic_ + (static_cast<std::int64_t>(laid.first) + laid.weight_shift);
    delay = delay_ + (static_cast<std::int64_t>(laid.first) + laid.delay_shift);
  }
  const projection_spec& spec = *run.spec;
  const gid_type gid = run.target->first_gid + local_target;
  const auto projection = static_cast<std::uint32_t>(run.index);
  buffered_normal_stream weights(make_rng_key(net_.seed, rng_purpose::weight, projection), gid);
  buffered_normal_stream delays(make_rng_key(net_.seed, rng_purpose::delay, projection), gid);
  // Null unless the target quantises weights (those get a summary).
  const auto runs = quantization_.find(run.index);
  loihi_quantization_summary* quantization =
      runs == quantization_.end() ? nullptr : &runs->second[local_target / quantization_run];
  const auto offset = static_cast<std::uint16_t>(local_target % segment_block_size);
  // The threads' bounds share a cache line: kept here for the target's synapses and written once.
  std::int64_t min_delay = min_delay_[thread], max_delay = max_delay_[thread];
  for (std::size_t i = 0; i < positions.size(); ++i) {
    if (i + prefetch_distance < positions.size()) {
      const std::uint32_t ahead = positions[i + prefetch_distance];
      if (target != nullptr) __builtin_prefetch(target + ahead, 1);
      if (writes_plastic) __builtin_prefetch(plastic + ahead, 1);
      if (c.has_weights) __builtin_prefetch(weight + ahead, 1);
      if (c.has_delays) __builtin_prefetch(delay + ahead, 1);
    }
    const std::uint32_t p = positions[i];
    if (target != nullptr) target[p] = offset;  // stashed: the placement's key holds it
    if (c.plastic) {
      if (writes_plastic) plastic[p] = draw_value(spec.weight, weights);
    } else if (c.has_weights) {
      // A target that does not quantise receives the drawn weight as it is (asked once, not per synapse).
      const double drawn = draw_value(spec.weight, weights);
      weight[p] = fixed_weight(*run.target,
                               quantization == nullptr
                                   ? drawn
                                   : received_weight(table_.target_params[run.index], spec.weight, drawn, quantization),
                               run.index);
    }
    if (c.has_delays) {
      const auto steps =
          checked_delay(drawn_delay_steps(draw_value(spec.delay, delays), net_.dt), true, run.index, net_.dt);
      delay[p] = static_cast<std::uint8_t>(steps);
      min_delay = std::min<std::int64_t>(min_delay, steps);
      max_delay = std::max<std::int64_t>(max_delay, steps);
    }
  }
  min_delay_[thread] = min_delay, max_delay_[thread] = max_delay;
}

void synapse_writer::stash_begin(const source_placement& placement, const std::vector<std::uint64_t>& room) {
  // A draw that overflowed its room starts again: what it noted is forgotten.
  std::fill(min_delay_.begin(), min_delay_.end(), std::numeric_limits<std::int64_t>::max());
  std::fill(max_delay_.begin(), max_delay_.end(), 0);
  for (auto& [projection, runs] : quantization_) std::fill(runs.begin(), runs.end(), loihi_quantization_summary{});
  auto lay_out = [&](auto& stash, auto keeps) {
    std::uint64_t size = 0;
    stash.base.assign(room.size(), 0);
    for (std::uint32_t k = 0; k < room.size(); ++k) {
      stash.base[k] = size;
      if (keeps(placement.first_class() + k)) size += room[k];
    }
    if (stash.values.size() != size) stash.values.allocate(size);
  };
  lay_out(stash_weight_, [&](std::uint32_t cls) { return table_.classes[cls].has_weights != 0; });
  lay_out(stash_plastic_, [&](std::uint32_t cls) { return stashes_plastic(cls); });
  lay_out(stash_delay_, [&](std::uint32_t cls) { return table_.classes[cls].has_delays != 0; });
}

void synapse_writer::move_each(std::uint32_t cls, std::span<const std::uint32_t> from, const std::uint16_t* offsets,
                               std::uint32_t to) {
  const synapse_class& c = (*classes_)[cls];
  const std::uint32_t k = cls - first_class_;
  const auto b = static_cast<std::int64_t>(c.first + to);
  std::copy_n(offsets, from.size(), target_ + b);
  auto gather = [&](auto& stash, auto* store) {
    for (std::size_t i = 0; i < from.size(); ++i) store[i] = *stash.at(k, from[i]);
  };
  if (const auto w = initial_plastic_weight(cls))
    std::fill_n(plastic_ + (b + c.weight_shift), from.size(), *w);
  else if (c.plastic)
    gather(stash_plastic_, plastic_ + (b + c.weight_shift));
  if (c.has_weights) gather(stash_weight_, weight_ + (b + c.weight_shift));
  if (c.has_delays) gather(stash_delay_, delay_ + (b + c.delay_shift));
}

void synapse_writer::stash_end() {
  // Given back at once: the next population's stash, and the routing built after the store, reuse the memory.
  stash_weight_ = {};
  stash_plastic_ = {};
  stash_delay_ = {};
}

std::int64_t synapse_writer::min_delay() const { return *std::min_element(min_delay_.begin(), min_delay_.end()); }
std::int64_t synapse_writer::max_delay() const { return *std::max_element(max_delay_.begin(), max_delay_.end()); }

loihi_quantization_summary synapse_writer::quantization() const {
  loihi_quantization_summary all;
  for (const auto& [projection, runs] : quantization_)
    for (const auto& q : runs) all.merge(q);
  return all;
}

}  // namespace hetspike
