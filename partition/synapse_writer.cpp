#include "partition/synapse_writer.hpp"

#include <algorithm>
#include <limits>

#include "partition/connection_rules.hpp"

namespace hetspike {

namespace {

/// The target runs whose quantisation errors are summed apart (threads take whole runs; see source_placement).
constexpr std::uint64_t quantization_run = 256;

/// The index range [lo, hi) that the population's classes take in one per-synapse array, given which classes keep
/// values there and each one's shift.
template <class Keeps>
std::pair<std::int64_t, std::int64_t> value_range(const std::vector<synapse_class>& classes, std::uint32_t first,
                                                  std::uint32_t n, const std::vector<std::uint64_t>& sizes,
                                                  Keeps&& keeps, bool delays) {
  std::int64_t lo = std::numeric_limits<std::int64_t>::max(), hi = lo;
  for (std::uint32_t k = 0; k < n; ++k) {
    const auto& c = classes[first + k];
    if (!keeps(c)) continue;
    const std::int64_t begin = static_cast<std::int64_t>(c.first) + (delays ? c.delay_shift : c.weight_shift);
    if (lo == std::numeric_limits<std::int64_t>::max()) lo = begin;
    hi = begin + static_cast<std::int64_t>(sizes[k]);
  }
  return lo == std::numeric_limits<std::int64_t>::max() ? std::pair<std::int64_t, std::int64_t>{0, 0}
                                                        : std::pair{lo, hi};
}

}  // namespace

synapse_writer::synapse_writer(const network_spec& net, const class_table& table,
                               const std::vector<synapse_class>& classes, synapse_store<Kokkos::HostSpace>& store,
                               int threads)
    : net_(net),
      table_(table),
      classes_(classes),
      min_delay_(threads, std::numeric_limits<std::int64_t>::max()),
      max_delay_(threads, 0),
      quantization_(net.projections.size()) {
  store_.target = store.target_offset.data();
  store_.weight = store.weight.data();
  store_.plastic = store.plastic_weight.data();
  store_.delay = store.delay.data();
  for (std::size_t i = 0; i < net.projections.size(); ++i)
    if (std::holds_alternative<loihi_lif_params>(table.target_params[i])) {
      std::uint64_t targets = 0;
      for (std::size_t c = 0; c < classes.size(); ++c)
        if (classes[c].projection == i) targets += segment_block_size;
      quantization_[i].resize(targets / quantization_run + 1);
    }
}

void synapse_writer::target(int thread, const source_placement::projection_run& run, std::uint64_t local_target,
                            std::uint32_t cls, std::span<const std::uint32_t> sources,
                            const std::vector<std::uint32_t>& positions, bool stashed) {
  // A target's synapses land in as many rows as it has sources, far apart: the lines are asked for this many
  // synapses ahead, while the values of the ones before are drawn (written out in the loop: GCC drops a
  // prefetch-only function's calls as free of side effects).
  constexpr std::size_t prefetch_distance = 32;
  const synapse_class& c = classes_[cls];
  const destination& d = stashed ? stash_ : store_;
  const projection_spec& spec = *run.spec;
  const gid_type gid = run.target->first_gid + local_target;
  const auto projection = static_cast<std::uint32_t>(run.index);
  random_stream weights(make_rng_key(net_.seed, rng_purpose::weight, projection), gid);
  random_stream delays(make_rng_key(net_.seed, rng_purpose::delay, projection), gid);
  loihi_quantization_summary* quantization =
      quantization_[run.index].empty() ? nullptr : &quantization_[run.index][local_target / quantization_run];
  const auto offset = static_cast<std::uint16_t>(local_target % segment_block_size);
  const auto first = static_cast<std::int64_t>(c.first);
  for (std::size_t i = 0; i < sources.size(); ++i) {
    if (i + prefetch_distance < sources.size()) {
      const std::int64_t ahead = first + positions[i + prefetch_distance];
      if (!stashed) __builtin_prefetch(d.target + (ahead - d.target_base), 1);
      if (c.plastic) __builtin_prefetch(d.plastic + (ahead + c.weight_shift - d.plastic_base), 1);
      if (c.has_weights) __builtin_prefetch(d.weight + (ahead + c.weight_shift - d.weight_base), 1);
      if (c.has_delays) __builtin_prefetch(d.delay + (ahead + c.delay_shift - d.delay_base), 1);
    }
    const std::int64_t k = first + positions[i];
    if (!stashed) d.target[k - d.target_base] = offset;  // stashed: the placement's key holds it
    if (c.plastic)
      d.plastic[k + c.weight_shift - d.plastic_base] = draw_value(spec.weight, weights);
    else if (c.has_weights)
      d.weight[k + c.weight_shift - d.weight_base] = fixed_weight(
          *run.target,
          received_weight(table_.target_params[run.index], spec.weight, draw_value(spec.weight, weights), quantization),
          run.index);
    if (c.has_delays) {
      const auto steps =
          checked_delay(drawn_delay_steps(draw_value(spec.delay, delays), net_.dt), true, run.index, net_.dt);
      d.delay[k + c.delay_shift - d.delay_base] = static_cast<std::uint8_t>(steps);
      min_delay_[thread] = std::min<std::int64_t>(min_delay_[thread], steps);
      max_delay_[thread] = std::max<std::int64_t>(max_delay_[thread], steps);
    }
  }
}

void synapse_writer::stash_begin(const source_placement& placement, const std::vector<synapse_class>& classes,
                                 const std::uint32_t* keys) {
  const std::uint32_t first = placement.first_class(), n = placement.num_classes();
  const auto& sizes = placement.class_sizes();
  stash_ = destination{};
  keys_ = keys;
  keys_base_ = static_cast<std::int64_t>(classes[first].first);
  const auto weights = value_range(
      classes, first, n, sizes, [](const synapse_class& c) { return c.has_weights; }, false);
  const auto plastic = value_range(
      classes, first, n, sizes, [](const synapse_class& c) { return c.plastic; }, false);
  const auto delays = value_range(
      classes, first, n, sizes, [](const synapse_class& c) { return c.has_delays; }, true);
  stash_weight_.resize(static_cast<std::size_t>(weights.second - weights.first));
  stash_plastic_.resize(static_cast<std::size_t>(plastic.second - plastic.first));
  stash_delay_.resize(static_cast<std::size_t>(delays.second - delays.first));
  stash_.weight = stash_weight_.data(), stash_.weight_base = weights.first;
  stash_.plastic = stash_plastic_.data(), stash_.plastic_base = plastic.first;
  stash_.delay = stash_delay_.data(), stash_.delay_base = delays.first;
}

namespace {

/// a[first + i] = old a[first + order[i]], through a per-thread scratch buffer.
template <class T>
void permute_in_place(T* a, const std::vector<std::uint32_t>& order) {
  thread_local std::vector<T> scratch;
  scratch.assign(a, a + order.size());
  for (std::size_t i = 0; i < order.size(); ++i) a[i] = scratch[order[i]];
}

}  // namespace

void synapse_writer::permute(std::uint32_t cls, std::uint32_t first, const std::vector<std::uint32_t>& order) {
  const synapse_class& c = classes_[cls];
  const auto a = static_cast<std::int64_t>(c.first + first);
  if (c.plastic) permute_in_place(stash_.plastic + (a + c.weight_shift - stash_.plastic_base), order);
  if (c.has_weights) permute_in_place(stash_.weight + (a + c.weight_shift - stash_.weight_base), order);
  if (c.has_delays) permute_in_place(stash_.delay + (a + c.delay_shift - stash_.delay_base), order);
}

void synapse_writer::move(std::uint32_t cls, std::uint32_t from, std::uint32_t to, std::uint32_t n) {
  const synapse_class& c = classes_[cls];
  const auto a = static_cast<std::int64_t>(c.first + from), b = static_cast<std::int64_t>(c.first + to);
  const std::uint32_t* key = keys_ + (a - keys_base_);
  for (std::uint32_t i = 0; i < n; ++i) store_.target[b + i] = static_cast<std::uint16_t>(key[i]);
  if (c.plastic)
    std::copy_n(stash_.plastic + (a + c.weight_shift - stash_.plastic_base), n, store_.plastic + (b + c.weight_shift));
  if (c.has_weights)
    std::copy_n(stash_.weight + (a + c.weight_shift - stash_.weight_base), n, store_.weight + (b + c.weight_shift));
  if (c.has_delays)
    std::copy_n(stash_.delay + (a + c.delay_shift - stash_.delay_base), n, store_.delay + (b + c.delay_shift));
}

void synapse_writer::move_each(std::uint32_t cls, const std::vector<std::uint32_t>& from, std::uint32_t to) {
  const synapse_class& c = classes_[cls];
  const auto a = static_cast<std::int64_t>(c.first), b = static_cast<std::int64_t>(c.first + to);
  auto gather = [&](const auto* stash, std::int64_t shift_minus_base, auto* store) {
    for (std::size_t i = 0; i < from.size(); ++i) store[i] = stash[a + from[i] + shift_minus_base];
  };
  for (std::size_t i = 0; i < from.size(); ++i)
    store_.target[b + static_cast<std::int64_t>(i)] = static_cast<std::uint16_t>(keys_[a + from[i] - keys_base_]);
  if (c.plastic) gather(stash_.plastic, c.weight_shift - stash_.plastic_base, store_.plastic + (b + c.weight_shift));
  if (c.has_weights) gather(stash_.weight, c.weight_shift - stash_.weight_base, store_.weight + (b + c.weight_shift));
  if (c.has_delays) gather(stash_.delay, c.delay_shift - stash_.delay_base, store_.delay + (b + c.delay_shift));
}

void synapse_writer::stash_end() {
  // Given back at once: the next population's stash, and the routing built after the store, reuse the memory.
  std::vector<std::int32_t>().swap(stash_weight_);
  std::vector<double>().swap(stash_plastic_);
  std::vector<std::uint8_t>().swap(stash_delay_);
  stash_ = destination{};
}

std::int64_t synapse_writer::min_delay() const { return *std::min_element(min_delay_.begin(), min_delay_.end()); }
std::int64_t synapse_writer::max_delay() const { return *std::max_element(max_delay_.begin(), max_delay_.end()); }

loihi_quantization_summary synapse_writer::quantization() const {
  loihi_quantization_summary all;
  for (const auto& runs : quantization_)
    for (const auto& q : runs) all.merge(q);
  return all;
}

}  // namespace hetspike
