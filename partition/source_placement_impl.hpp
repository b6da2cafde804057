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
//   void permute(std::uint32_t cls, std::uint32_t first, const std::vector<std::uint32_t>& order)
//                                                 reorders stashed synapses [first, first + order.size()) of a class:
//                                                 the i-th of them becomes the one that was order[i]-th
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
  auto start_of = [&](std::uint32_t k, std::uint64_t b) -> std::uint32_t& {
    return bucket_start[k * (buckets_ + 1) + b];
  };
  for (std::uint32_t k = 0; k < num_classes_; ++k) {
    std::uint32_t at = 0;
    for (std::uint64_t b = 0; b < buckets_; ++b) {
      start_of(k, b) = at;
      for (int th = 0; th < threads_; ++th) {
        std::uint32_t& c = counter(k, th, b);
        const std::uint32_t here = c;
        c = at;
        at += here;
      }
    }
    start_of(k, buckets_) = at;
  }
  const std::uint64_t population_first = classes[first].first;
  std::vector<std::uint16_t> source_low(num_synapses());
  auto low_of = [&](std::uint32_t k) { return source_low.data() + (classes[first + k].first - population_first); };
  sink.stash_begin(*this, classes);
  second_draw(sink, true, &source_low, classes);

  std::vector<std::uint8_t> plastic;
  for (std::uint32_t k = 0; k < num_classes_; ++k) plastic.push_back(classes[first + k].plastic);
  row_planner planner(first, plastic);
  // A walk over one bucket's sources in ascending order, the classes' stretches of the bucket being sorted by
  // source: a merge over the classes. For each source: its synapses per class (count) and where they start (at).
  struct walk {
    std::vector<const std::uint16_t*> low;
    std::vector<std::uint32_t> at, end, count;
    std::uint32_t total = 0, only = 0;  ///< synapses of the source; with one, its class
  };
  auto make_walk = [&] {
    walk w;
    for (std::uint32_t k = 0; k < num_classes_; ++k) w.low.push_back(low_of(k));
    w.at.resize(num_classes_), w.end.resize(num_classes_), w.count.resize(num_classes_);
    return w;
  };
  auto for_each_source = [&](std::uint64_t b, walk& w, auto&& f) {
    for (std::uint32_t k = 0; k < num_classes_; ++k) w.at[k] = start_of(k, b), w.end[k] = start_of(k, b + 1);
    for (;;) {
      std::uint32_t low = 1u << 16;
      for (std::uint32_t k = 0; k < num_classes_; ++k)
        if (w.at[k] < w.end[k]) low = std::min<std::uint32_t>(low, w.low[k][w.at[k]]);
      if (low == 1u << 16) return;
      w.total = 0;
      for (std::uint32_t k = 0; k < num_classes_; ++k) {
        std::uint32_t i = w.at[k];
        while (i < w.end[k] && w.low[k][i] == low) ++i;
        w.count[k] = i - w.at[k];
        if (w.count[k] != 0) w.only = k;
        w.total += w.count[k];
      }
      f(low, w);
      for (std::uint32_t k = 0; k < num_classes_; ++k) w.at[k] += w.count[k];
    }
  };
  const std::uint64_t chunks = std::min<std::uint64_t>(buckets_, static_cast<std::uint64_t>(threads_) * 64);
  auto chunk_begin = [&](std::uint64_t q) { return buckets_ * q / chunks; };
  std::vector<row_planner::tally> tallies(chunks, planner.make_tally());
  // First pass over the buckets: each class's stretch sorted by source (stably: draw order within a source), the
  // sink's stash moved alike, then the rows counted.
  parallel_chunks(chunks, threads_, [&](std::size_t q) {
    std::vector<std::uint64_t> keys, scratch;
    std::vector<std::uint32_t> order;
    walk w = make_walk();
    for (std::uint64_t b = chunk_begin(q); b < chunk_begin(q + 1); ++b) {
      for (std::uint32_t k = 0; k < num_classes_; ++k) {
        const std::uint32_t lo = start_of(k, b), n = start_of(k, b + 1) - lo;
        if (n < 2) continue;
        std::uint16_t* l = low_of(k) + lo;
        keys.resize(n);
        for (std::uint32_t i = 0; i < n; ++i) keys[i] = std::uint64_t{l[i]} << 48 | i;
        detail::sort_by_top16(keys, scratch);
        order.resize(n);
        for (std::uint32_t i = 0; i < n; ++i) order[i] = static_cast<std::uint32_t>(keys[i]), l[i] = keys[i] >> 48;
        sink.permute(first + k, lo, order);
      }
      for_each_source(b, w, [&](std::uint32_t, const walk& v) {
        if (v.total == 1)
          planner.count_single(v.only, tallies[q]);
        else
          planner.count(v.count.data(), tallies[q]);
      });
    }
  });
  std::vector<std::uint64_t> sizes;
  auto cursors = planner.lay_out(tallies, arrays, sizes);
  if (sizes != class_sizes_) throw internal_error("source_placement: rows laid out for other class sizes");
  on_row.rows(arrays);
  // Second pass: rows placed, each source's synapses moved from the stash to their places, in order.
  parallel_chunks(chunks, threads_, [&](std::size_t q) {
    std::vector<std::uint32_t> positions(num_classes_);
    walk w = make_walk();
    for (std::uint64_t b = chunk_begin(q); b < chunk_begin(q + 1); ++b)
      for_each_source(b, w, [&](std::uint32_t low, const walk& v) {
        if (v.total == 1) {
          std::uint32_t position = 0;
          on_row(b << shift_ | low, planner.place_single(cursors[q], v.only, position));
          sink.move(first + v.only, v.at[v.only], position);
          return;
        }
        on_row(b << shift_ | low, planner.place(cursors[q], v.count.data(), positions.data(), arrays));
        for (std::uint32_t k = 0; k < num_classes_; ++k)
          for (std::uint32_t i = 0; i < v.count[k]; ++i) sink.move(first + k, v.at[k] + i, positions[k] + i);
      });
  });
  sink.stash_end();
}

}  // namespace hetspike
