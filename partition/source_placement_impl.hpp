#pragma once
// source_placement::place and its two ways (see source_placement.hpp), included by the .cpp files that place
// synapses (the builder, the locator, the route replay of an emulated rank).
//
// A Sink provides:
//   bool visits(std::size_t projection) const    whether it wants that projection's synapses
//   void target(int thread, const source_placement::projection_run& run, std::uint64_t local_target,
//               std::uint32_t cls, const std::vector<std::uint64_t>& sources,
//               const std::vector<std::uint32_t>& positions, bool stashed)
//                                                 one target's synapses (sources in draw order) and their
//                                                 class-relative positions: final ones, or (stashed) their place in
//                                                 the class's bucket stretch, to be moved later
//   void stash_begin(const source_placement&, const std::vector<synapse_class>&), stash_end()
//                                                 around the bucketed way's second draw and moves
//   void move(std::uint32_t cls, std::uint32_t from, std::uint32_t to)
//                                                 a stashed synapse's final class-relative position
// An OnRow provides rows(const row_arrays&) (once laid out, before any row is placed) and operator()(source, row),
// called from several threads for different rows.
#include <array>

#include "partition/error.hpp"
#include "partition/parallel_chunks.hpp"
#include "partition/source_placement.hpp"

namespace hetspike {

namespace detail {

/// Sorts 64-bit keys by their top 16 bits, stably (two counting passes of 8 bits).
inline void sort_by_top16(std::vector<std::uint64_t>& keys, std::vector<std::uint64_t>& scratch) {
  scratch.resize(keys.size());
  for (int shift : {48, 56}) {
    std::array<std::size_t, 257> start{};
    for (auto k : keys) ++start[((k >> shift) & 0xff) + 1];
    if (start[1] == keys.size()) continue;  // one value in this byte: already in order
    for (std::size_t i = 1; i < start.size(); ++i) start[i] += start[i - 1];
    for (auto k : keys) scratch[start[(k >> shift) & 0xff]++] = k;
    keys.swap(scratch);
  }
}

}  // namespace detail

template <class Sink, class OnRow>
void source_placement::place(const std::vector<synapse_class>& classes, row_arrays& arrays, Sink& sink,
                             OnRow&& on_row) {
  if (num_synapses() == 0) return;  // no rows: not even a pass over the population's sources
  if (shift_ == 0)
    place_direct(classes, arrays, sink, on_row);
  else
    place_bucketed(classes, arrays, sink, on_row);
}

template <class Sink>
void source_placement::second_draw(Sink& sink, bool stash, std::vector<std::uint16_t>* source_low,
                                   const std::vector<synapse_class>& classes) {
  const std::uint64_t population_first = num_classes_ > 0 ? classes[first_class()].first : 0;
  const std::uint64_t low_mask = (std::uint64_t{1} << shift_) - 1;
  parallel_threads(threads_, [&](int th) {
    std::vector<std::uint32_t> positions;
    for (const auto& r : runs_) {
      const bool visit = sink.visits(r.index);
      if (!visit && source_low == nullptr) continue;
      r.targets->for_each_in(r.target_first_index + r.thread_begin[th], r.target_first_index + r.thread_begin[th + 1],
                             [&](std::uint64_t t, const std::vector<std::uint64_t>& sources) {
                               const std::uint64_t local = t - r.target_first_index;
                               const std::uint32_t cls = classes_.of(r.index, local);
                               std::uint32_t* cursor = &counter(cls - first_class(), th, 0);
                               positions.resize(sources.size());
                               for (std::size_t i = 0; i < sources.size(); ++i)
                                 positions[i] = cursor[sources[i] >> shift_]++;
                               if (source_low != nullptr) {
                                 std::uint16_t* low = source_low->data() + (classes[cls].first - population_first);
                                 for (std::size_t i = 0; i < sources.size(); ++i)
                                   low[positions[i]] = static_cast<std::uint16_t>(sources[i] & low_mask);
                               }
                               if (visit) sink.target(th, r, local, cls, sources, positions, stash);
                             });
    }
  });
}

template <class Sink, class OnRow>
void source_placement::place_direct(const std::vector<synapse_class>& classes, row_arrays& arrays, Sink& sink,
                                    OnRow& on_row) {
  std::vector<std::uint8_t> plastic;
  for (std::uint32_t k = 0; k < num_classes_; ++k) plastic.push_back(classes[first_class() + k].plastic);
  row_planner planner(first_class(), plastic);
  const std::uint64_t n = population_size_;
  const std::uint64_t chunks = std::min<std::uint64_t>(n, static_cast<std::uint64_t>(threads_) * 16);
  auto chunk_begin = [&](std::uint64_t q) { return n * q / chunks; };
  std::vector<row_planner::tally> tallies(chunks, planner.make_tally());
  parallel_chunks(chunks, threads_, [&](std::size_t q) {
    std::vector<std::uint32_t> counts(num_classes_);
    for (std::uint64_t s = chunk_begin(q); s < chunk_begin(q + 1); ++s)
      if (source_counts(s, counts.data())) planner.count(counts.data(), tallies[q]);
  });
  std::vector<std::uint64_t> sizes;
  auto cursors = planner.lay_out(tallies, arrays, sizes);
  if (sizes != class_sizes_) throw internal_error("source_placement: rows laid out for other class sizes");
  on_row.rows(arrays);
  // Each (class, thread, source) counter becomes the position of that thread's first synapse of the source.
  parallel_chunks(chunks, threads_, [&](std::size_t q) {
    std::vector<std::uint32_t> counts(num_classes_), positions(num_classes_);
    for (std::uint64_t s = chunk_begin(q); s < chunk_begin(q + 1); ++s) {
      if (!source_counts(s, counts.data())) continue;
      on_row(s, planner.place(cursors[q], counts.data(), positions.data(), arrays));
      for (std::uint32_t k = 0; k < num_classes_; ++k) {
        if (counts[k] == 0) continue;
        std::uint32_t at = positions[k];
        for (int th = 0; th < threads_; ++th) {
          std::uint32_t& c = counter(k, th, s);
          const std::uint32_t here = c;
          c = at;
          at += here;
        }
      }
    }
  });
  second_draw(sink, false, nullptr, classes);
}

template <class Sink, class OnRow>
void source_placement::place_bucketed(const std::vector<synapse_class>& classes, row_arrays& arrays, Sink& sink,
                                      OnRow& on_row) {
  const std::uint32_t first = first_class();
  // Each class's synapses in bucket order, within a bucket thread by thread: counters become stash cursors.
  std::vector<std::uint32_t> bucket_start(static_cast<std::uint64_t>(num_classes_) * (buckets_ + 1));
  for (std::uint32_t k = 0; k < num_classes_; ++k) {
    std::uint32_t at = 0;
    for (std::uint64_t b = 0; b < buckets_; ++b) {
      bucket_start[k * (buckets_ + 1) + b] = at;
      for (int th = 0; th < threads_; ++th) {
        std::uint32_t& c = counter(k, th, b);
        const std::uint32_t here = c;
        c = at;
        at += here;
      }
    }
    bucket_start[k * (buckets_ + 1) + buckets_] = at;
  }
  const std::uint64_t population_first = num_classes_ > 0 ? classes[first].first : 0;
  std::vector<std::uint16_t> source_low(num_synapses());
  sink.stash_begin(*this, classes);
  second_draw(sink, true, &source_low, classes);

  // A bucket's synapses as (source low bits, class, stash position), sorted: by source, then class, then position,
  // which within a class is thread then draw order.
  auto sorted_bucket = [&](std::uint64_t b, std::vector<std::uint64_t>& keys, std::vector<std::uint64_t>& scratch) {
    keys.clear();
    for (std::uint32_t k = 0; k < num_classes_; ++k) {
      const std::uint16_t* low = source_low.data() + (classes[first + k].first - population_first);
      for (std::uint32_t pos = bucket_start[k * (buckets_ + 1) + b]; pos < bucket_start[k * (buckets_ + 1) + b + 1];
           ++pos)
        keys.push_back(std::uint64_t{low[pos]} << 48 | std::uint64_t{k} << 32 | pos);
    }
    detail::sort_by_top16(keys, scratch);
  };
  // Calls f(source low bits, first key, end) for each source's run of keys, counting its synapses per class.
  auto for_each_source = [&](const std::vector<std::uint64_t>& keys, std::vector<std::uint32_t>& counts, auto&& f) {
    for (std::size_t i = 0; i < keys.size();) {
      const std::uint64_t low = keys[i] >> 48;
      std::fill(counts.begin(), counts.end(), 0u);
      std::size_t j = i;
      for (; j < keys.size() && keys[j] >> 48 == low; ++j) ++counts[(keys[j] >> 32) & 0xffff];
      f(low, i, j);
      i = j;
    }
  };

  std::vector<std::uint8_t> plastic;
  for (std::uint32_t k = 0; k < num_classes_; ++k) plastic.push_back(classes[first + k].plastic);
  row_planner planner(first, plastic);
  const std::uint64_t chunks = std::min<std::uint64_t>(buckets_, static_cast<std::uint64_t>(threads_) * 64);
  auto chunk_begin = [&](std::uint64_t q) { return buckets_ * q / chunks; };
  std::vector<row_planner::tally> tallies(chunks, planner.make_tally());
  parallel_chunks(chunks, threads_, [&](std::size_t q) {
    std::vector<std::uint64_t> keys, scratch;
    std::vector<std::uint32_t> counts(num_classes_);
    for (std::uint64_t b = chunk_begin(q); b < chunk_begin(q + 1); ++b) {
      sorted_bucket(b, keys, scratch);
      for_each_source(keys, counts,
                      [&](std::uint64_t, std::size_t, std::size_t) { planner.count(counts.data(), tallies[q]); });
    }
  });
  std::vector<std::uint64_t> sizes;
  auto cursors = planner.lay_out(tallies, arrays, sizes);
  if (sizes != class_sizes_) throw internal_error("source_placement: rows laid out for other class sizes");
  on_row.rows(arrays);
  parallel_chunks(chunks, threads_, [&](std::size_t q) {
    std::vector<std::uint64_t> keys, scratch;
    std::vector<std::uint32_t> counts(num_classes_), positions(num_classes_);
    for (std::uint64_t b = chunk_begin(q); b < chunk_begin(q + 1); ++b) {
      sorted_bucket(b, keys, scratch);
      for_each_source(keys, counts, [&](std::uint64_t low, std::size_t i, std::size_t j) {
        on_row(b << shift_ | low, planner.place(cursors[q], counts.data(), positions.data(), arrays));
        for (; i < j; ++i) {
          const auto k = static_cast<std::uint32_t>((keys[i] >> 32) & 0xffff);
          sink.move(first + k, static_cast<std::uint32_t>(keys[i]), positions[k]++);
        }
      });
    }
  });
  sink.stash_end();
}

}  // namespace hetspike
