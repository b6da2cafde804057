#include "partition/source_placement.hpp"

#include <algorithm>
#include <bit>
#include <limits>
#include <string>

#include "partition/connection_rules.hpp"
#include "partition/error.hpp"
#include "partition/parallel_chunks.hpp"

namespace hetspike {

namespace {

/// Threads take whole runs of this many targets, so that per-run tallies (quantisation errors) are summed in an
/// order that does not depend on the thread count.
constexpr std::uint64_t target_run = 256;
/// What a bucket should hold: a few thousand synapses sort within the caches.
constexpr double synapses_per_bucket = 4096;

/// The synapses a projection will have onto `n` local targets (exact but for pairwise_bernoulli, whose mean it is).
double expected_local_synapses(const projection_spec& p, double n, double source_size, double target_size) {
  switch (p.rule) {
    case connection_rule::fixed_total_number:
      return target_size > 0 ? static_cast<double>(p.total) * n / target_size : 0.0;
    default:
      return expected_synapses(p, static_cast<std::uint64_t>(source_size), static_cast<std::uint64_t>(n), false);
  }
}

}  // namespace

source_placement::source_placement(const network_spec& net, const block_partition& partition,
                                   const local_layout& layout, const class_table& classes, std::size_t population,
                                   const placement_options& options)
    : net_(net),
      classes_(classes),
      population_(population),
      population_size_(partition.population_size(population)),
      num_classes_(classes.num_classes(population)),
      threads_(options.threads > 0 ? options.threads : default_build_threads()) {
  if (num_classes_ >= (1u << 16))
    throw capacity_error("population " + net.populations[population].name + " projects into " +
                         std::to_string(num_classes_) + " blocks of 65,536 targets on one rank; at most 65,535");
  if (population_size_ > std::numeric_limits<std::uint32_t>::max())
    throw capacity_error("population " + net.populations[population].name + " has " + std::to_string(population_size_) +
                         " neurons; a source population may have at most 2^32 - 1");
  for (std::size_t i = 0; i < net.projections.size(); ++i) {
    const auto& p = net.projections[i];
    if (p.source != population) continue;
    projection_run r;
    r.index = i;
    r.spec = &p;
    r.target = &layout.populations[p.target];
    r.target_first_index = r.target->first_gid - partition.population_offset(p.target);
    r.targets.emplace(net, partition, i, r.target_first_index, r.target_first_index + r.target->count);
    const std::uint64_t n = r.target->count;
    for (int t = 0; t <= threads_; ++t) {
      const std::uint64_t even = n * static_cast<std::uint64_t>(t) / static_cast<std::uint64_t>(threads_);
      r.thread_begin.push_back(t == threads_ ? n : std::min(n, (even + target_run / 2) / target_run * target_run));
    }
    runs_.push_back(std::move(r));
  }
  choose_method(options.method);
}

void source_placement::choose_method(placement_method method) {
  const double n = static_cast<double>(population_size_);
  double synapses = 0, value_bytes = 0;
  for (const auto& r : runs_) {
    const double s = expected_local_synapses(*r.spec, static_cast<double>(r.target->count), n,
                                             static_cast<double>(net_.populations[r.spec->target].size));
    synapses += s;
    value_bytes += s * ((r.spec->plasticity             ? 8
                         : r.spec->weight.is_constant() ? 0
                                                        : 4) +
                        (r.spec->delay.is_constant() ? 0 : 1));
  }
  const double per_source = n > 0 ? synapses / n : 0;
  int shift = 16;
  if (per_source > 0)
    shift = std::clamp(static_cast<int>(std::ceil(std::log2(synapses_per_bucket / per_source))), 1, 16);
  const double buckets = std::ceil(n / static_cast<double>(1u << shift));
  const double counters = static_cast<double>(num_classes_) * threads_ * 4;
  const double direct_bytes = counters * n;
  const double bucketed_bytes = counters * buckets + synapses * 4 + value_bytes;
  const bool direct =
      method == placement_method::direct || (method == placement_method::automatic && direct_bytes <= bucketed_bytes);
  shift_ = direct ? 0 : shift;
  buckets_ = population_size_ == 0 ? 0 : ((population_size_ - 1) >> shift_) + 1;
}

std::uint64_t source_placement::num_synapses() const {
  std::uint64_t n = 0;
  for (auto s : class_sizes_) n += s;
  return n;
}

void source_placement::count() {
  counts_.assign(static_cast<std::uint64_t>(num_classes_) * threads_ * buckets_, 0);
  // Exact synapse counts per (class, thread) in 64 bits, besides the 32-bit bucket counters.
  auto& per_thread = thread_synapses_;
  per_thread.assign(static_cast<std::uint64_t>(num_classes_) * threads_, 0);
  parallel_threads(threads_, [&](int th) {
    for (const auto& r : runs_) {
      const std::uint32_t first = classes_.projection_first[r.index] - first_class();
      r.targets->for_each_in(r.target_first_index + r.thread_begin[th], r.target_first_index + r.thread_begin[th + 1],
                             [&](std::uint64_t t, const std::vector<std::uint64_t>& sources) {
                               const auto k =
                                   first + static_cast<std::uint32_t>((t - r.target_first_index) / segment_block_size);
                               std::uint32_t* bucket = &counter(k, th, 0);
                               for (auto s : sources) ++bucket[s >> shift_];
                               per_thread[static_cast<std::uint64_t>(k) * threads_ + th] += sources.size();
                             });
    }
  });
  class_sizes_.assign(num_classes_, 0);
  for (std::uint32_t k = 0; k < num_classes_; ++k) {
    for (int th = 0; th < threads_; ++th) class_sizes_[k] += per_thread[static_cast<std::uint64_t>(k) * threads_ + th];
    if (class_sizes_[k] >= std::numeric_limits<std::uint32_t>::max()) {
      const auto& c = classes_.classes[first_class() + k];
      throw capacity_error("projections[" + std::to_string(c.projection) + "] has " + std::to_string(class_sizes_[k]) +
                           " synapses onto one block of 65,536 local targets; at most 2^32 - 2: run on more ranks");
    }
  }
}

bool source_placement::source_counts(std::uint64_t source, std::uint32_t* counts) const {
  bool any = false;
  for (std::uint32_t k = 0; k < num_classes_; ++k) {
    std::uint32_t n = 0;
    for (int th = 0; th < threads_; ++th) n += counter(k, th, source);
    counts[k] = n;
    any = any || n != 0;
  }
  return any;
}

}  // namespace hetspike
