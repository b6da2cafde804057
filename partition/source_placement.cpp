#include "partition/source_placement.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
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
/// What a bucket should hold: 65,536 synapses (256 KiB of keys) are split within a second-level cache of 512 KiB,
/// and the fewer the buckets, the fewer stretches the draw writes to at once (about 1,500 per thread for 10^8
/// synapses), each write a likely cache and TLB miss. Half as many synapses a bucket: hpc_benchmark's rank of
/// 16,384 took 6% more CPU time (7.14 s against 6.74, medians of 6 alternated builds); twice as many: more.
constexpr double synapses_per_bucket = 65536;
/// The direct way while its per-source counters take at most this many bytes per synapse (per counting thread) and
/// this many bytes in all: counters that outgrow the caches make every count a miss, and then the bucketed way is
/// faster too. Constants, not the machine's cache sizes: the way decides the store's row order, which must be the
/// same on every machine.
constexpr double direct_counter_bytes_per_synapse = 2;
constexpr double direct_counter_bytes = 32.0 * (1 << 20);

/// The synapses a projection will have onto `n` local targets (exact but for pairwise_bernoulli, whose mean it is).
double expected_local_synapses(const projection_spec& p, double n, double source_size, double target_size) {
  if (p.rule == connection_rule::fixed_total_number)
    return target_size > 0 ? static_cast<double>(p.total) * n / target_size : 0.0;
  return expected_synapses(p, static_cast<std::uint64_t>(source_size), static_cast<std::uint64_t>(n), false);
}

}  // namespace

void check_source_classes(const std::string& population, std::uint64_t classes) {
  if (classes <= max_source_classes) return;
  throw capacity_error("population " + population + " projects into " + std::to_string(classes) +
                       " blocks of up to 65,536 targets on one rank; allowed: at most " +
                       std::to_string(max_source_classes) + " (run on more ranks, or with fewer projections from " +
                       population + ")");
}

source_placement::source_placement(const network_spec& net, const block_partition& partition,
                                   const local_layout& layout, const class_table& classes, std::size_t population,
                                   const placement_options& options)
    : net_(net),
      classes_(classes),
      population_(population),
      population_size_(partition.population_size(population)),
      num_classes_(classes.num_classes(population)),
      threads_(options.threads > 0 ? options.threads : default_build_threads()),
      room_margin_(options.room_margin) {
  check_source_classes(net.populations[population].name, num_classes_);
  if (population_size_ > std::numeric_limits<std::uint32_t>::max())
    throw capacity_error("population " + net.populations[population].name + " has " + std::to_string(population_size_) +
                         " neurons; a source population may have at most 2^32 - 1");
  for (const std::size_t i : classes.by_source.of(population)) {
    const auto& p = net.projections[i];
    projection_run r;
    r.index = i;
    r.spec = &p;
    r.target = &layout.populations[p.target];
    r.target_first_index = r.target->first_gid - partition.population_offset(p.target);
    r.targets.emplace(net, partition, i, r.target_first_index, r.target_first_index + r.target->count);
    runs_.push_back(std::move(r));
  }
  double synapses = 0, targets = 0;
  for (const auto& r : runs_) {
    const double n =
        expected_local_synapses(*r.spec, static_cast<double>(r.target->count), static_cast<double>(population_size_),
                                static_cast<double>(net.populations[r.spec->target].size));
    synapses += n;
    targets += static_cast<double>(r.target->count);
    store_bytes_ += n * (2 + synapse_weight_bytes(*r.spec) + synapse_delay_bytes(*r.spec));
  }
  // The keys' offset bits: the largest class block's targets (a block holds at most segment_block_size).
  std::uint64_t widest = 1;
  for (const auto& r : runs_)
    widest = std::max<std::uint64_t>(widest, std::min<std::uint64_t>(r.target->count, segment_block_size));
  offset_bits_ = key_offset_bits(widest);
  const auto choice = choose_placement(synapses, static_cast<double>(population_size_), num_classes_, threads_,
                                       options.method, 32 - offset_bits_);
  shift_ = choice.shift;
  threads_ = choice.threads;
  if (shift_ == 0 && drawn_sources::fits(population_size_)) draw_bytes_ = drawn_sources::bytes(synapses, targets);
  buckets_ = population_size_ == 0 ? 0 : ((population_size_ - 1) >> shift_) + 1;
  for (auto& r : runs_) {
    const std::uint64_t n = r.target->count;
    for (int t = 0; t <= threads_; ++t) {
      const std::uint64_t even = n * static_cast<std::uint64_t>(t) / static_cast<std::uint64_t>(threads_);
      r.thread_begin.push_back(t == threads_ ? n : std::min(n, (even + target_run / 2) / target_run * target_run));
    }
  }
}

int key_offset_bits(std::uint64_t widest_block) {
  return std::max(1, static_cast<int>(std::bit_width(std::max<std::uint64_t>(widest_block, 1) - 1)));
}

double stretch_room(double expected, double margin) {
  return std::max(0.0, expected + margin * std::sqrt(expected) + 8);
}

placement_choice choose_placement(double synapses, double sources, std::uint32_t classes, int threads,
                                  placement_method method, int max_shift) {
  // Per-source counters (one set per counting thread) against a stash of about 8 bytes a synapse: the counters while
  // they are small, judged for one thread so that the choice, hence the store, does not depend on the thread count.
  const double counter_bytes = 4.0 * classes * sources;
  const bool direct = method == placement_method::direct ||
                      (method == placement_method::automatic && counter_bytes <= direct_counter_bytes &&
                       counter_bytes <= direct_counter_bytes_per_synapse * std::max(synapses, 1.0));
  placement_choice c;
  if (direct) {
    // More counting threads, more counters: as many as keep them within budget (the store is the same).
    const double budget = 2 * direct_counter_bytes_per_synapse * std::max(synapses, 1.0);
    c.threads = std::clamp(static_cast<int>(budget / std::max(counter_bytes, 1.0)), 1, threads);
  } else {
    const double per_source = sources > 0 ? synapses / sources : 0;
    c.shift = per_source > 0
                  ? std::clamp(static_cast<int>(std::ceil(std::log2(synapses_per_bucket / per_source))), 1, max_shift)
                  : max_shift;
    c.threads = threads;
  }
  return c;
}

wanted_cursor::wanted_cursor(const wanted_sources& w, std::uint64_t first) : w_(w) {
  if (w_.list != nullptr)
    next_ = static_cast<std::size_t>(std::lower_bound(w_.list->begin(), w_.list->end(), first) - w_.list->begin());
}

bool wanted_cursor::wants(std::uint64_t source) {
  if (w_.every || source - w_.block_first < w_.block_count) return true;
  if (w_.list == nullptr) return false;
  const auto& list = *w_.list;
  while (next_ < list.size() && list[next_] < source) ++next_;
  return next_ < list.size() && list[next_] == source;
}

bool wanted_cursor::any(std::uint64_t first, std::uint64_t end) {
  // The list is passed up to `first` whatever the answer: each() starts from there.
  if (w_.list != nullptr)
    while (next_ < w_.list->size() && (*w_.list)[next_] < first) ++next_;
  if (w_.every || (first < w_.block_first + w_.block_count && w_.block_first < end)) return true;
  return w_.list != nullptr && next_ < w_.list->size() && (*w_.list)[next_] < end;
}

std::uint64_t source_placement::num_synapses() const {
  std::uint64_t n = 0;
  for (auto s : class_sizes_) n += s;
  return n;
}

void source_placement::count_buckets() {
  counts_.assign(static_cast<std::uint64_t>(num_classes_) * threads_ * buckets_, 0);
  drawn_.clear();
  if (keeps_draws()) drawn_.resize(runs_.size() * static_cast<std::size_t>(threads_));
  parallel_threads(threads_, [&](int th) {
    for (std::size_t i = 0; i < runs_.size(); ++i) {
      const auto& r = runs_[i];
      const std::uint32_t first = classes_.projection_first[r.index] - first_class();
      const std::uint64_t begin = r.target_first_index + r.thread_begin[th],
                          end = r.target_first_index + r.thread_begin[th + 1];
      drawn_sources* kept = drawn_.empty() ? nullptr : &drawn_[i * threads_ + th];
      if (kept != nullptr) {
        const double expected = r.targets->expected_synapses(begin, end);  // a mean for pairwise_bernoulli
        kept->reserve(end - begin, static_cast<std::uint64_t>(stretch_room(expected, room_margin_)));
      }
      r.targets->for_each_in(begin, end, [&](std::uint64_t t, const std::vector<std::uint64_t>& sources) {
        const auto k = first + static_cast<std::uint32_t>((t - r.target_first_index) / segment_block_size);
        std::uint32_t* bucket = &counter(k, th, 0);
        for (auto s : sources) ++bucket[s >> shift_];
        if (kept != nullptr) kept->add(sources);
      });
    }
  });
}

void source_placement::sum_counts() {
  thread_synapses_.assign(static_cast<std::uint64_t>(num_classes_) * threads_, 0);
  class_sizes_.assign(num_classes_, 0);
  for (std::uint32_t k = 0; k < num_classes_; ++k) {
    for (int th = 0; th < threads_; ++th) {
      std::uint64_t n = 0;
      for (std::uint64_t b = 0; b < buckets_; ++b) n += counter(k, th, b);
      thread_synapses_[static_cast<std::uint64_t>(k) * threads_ + th] = n;
      class_sizes_[k] += n;
    }
    if (class_sizes_[k] >= std::numeric_limits<std::uint32_t>::max()) {
      const auto& c = classes_.classes[first_class() + k];
      throw capacity_error("projections[" + std::to_string(c.projection) + "] has " + std::to_string(class_sizes_[k]) +
                           " synapses onto one block of 65,536 local targets; at most 2^32 - 2: run on more ranks");
    }
  }
}

bool source_placement::estimate_room() {
  // A (class, thread, bucket) stretch gets its share of the synapses the thread's targets in the class will have,
  // as the bucket's share of the sources (every source is equally likely), and room_margin standard deviations more.
  counts_.assign(static_cast<std::uint64_t>(num_classes_) * threads_ * buckets_, 0);
  std::vector<double> expected(static_cast<std::uint64_t>(num_classes_) * threads_, 0.0);
  for (const auto& r : runs_) {
    if (!r.targets->uniform_sources()) return false;
    const std::uint32_t first = classes_.projection_first[r.index] - first_class();
    for (int th = 0; th < threads_; ++th)
      for (std::uint64_t t = r.thread_begin[th]; t < r.thread_begin[th + 1];) {
        const std::uint64_t end = std::min(r.thread_begin[th + 1], (t / segment_block_size + 1) * segment_block_size);
        expected[(first + t / segment_block_size) * threads_ + th] +=
            r.targets->expected_synapses(r.target_first_index + t, r.target_first_index + end);
        t = end;
      }
  }
  const double sources = static_cast<double>(population_size_);
  for (std::uint32_t k = 0; k < num_classes_; ++k)
    for (int th = 0; th < threads_; ++th)
      for (std::uint64_t b = 0; b < buckets_; ++b) {
        const double width =
            static_cast<double>(std::min<std::uint64_t>(population_size_ - (b << shift_), std::uint64_t{1} << shift_));
        const double m = expected[k * threads_ + th] * width / sources;
        const double room = stretch_room(m, room_margin_);
        if (room >= std::numeric_limits<std::uint32_t>::max()) return false;
        counter(k, th, b) = static_cast<std::uint32_t>(std::ceil(room));
      }
  return true;
}

void source_placement::count_buckets_before() {
  bucket_start_.assign(static_cast<std::uint64_t>(num_classes_) * (buckets_ + 1), 0);
  for (std::uint32_t k = 0; k < num_classes_; ++k) {
    std::uint32_t at = 0;
    for (std::uint64_t b = 0; b < buckets_; ++b) {
      bucket_start_[k * (buckets_ + 1) + b] = at;
      for (int th = 0; th < threads_; ++th) at += counter(k, th, b);
    }
    bucket_start_[k * (buckets_ + 1) + buckets_] = at;
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
