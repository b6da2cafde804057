#pragma once
// source_placement::place and its two ways (see source_placement.hpp), included by the .cpp files that place
// synapses (the builder, the locator, the route replay of an emulated rank).
//
// A Sink provides:
//   bool visits(std::size_t projection) const    whether it wants that projection's synapses
//   void target(int thread, const source_placement::projection_run& run, std::uint64_t local_target,
//               std::uint32_t cls, std::span<const std::uint32_t> sources,
//               const std::vector<std::uint32_t>& positions, bool stashed)
//                                                 one target's synapses (sources in draw order) and their
//                                                 class-relative positions: final ones, or (stashed) their place in
//                                                 the class's bucket stretch, to be moved later
//   void stash_begin(const source_placement&, const std::vector<synapse_class>&, const std::uint32_t* keys),
//   stash_end()                                   around the bucketed way's stash; keys[class.first + position -
//                                                 the population's first class's first] is (source low bits << 16 |
//                                                 target offset) of each stashed synapse
//   bool permutes(std::uint32_t cls) const       whether it stashes anything of the class's synapses itself
//   void permute(std::uint32_t cls, std::uint32_t first, const std::vector<std::uint32_t>& order)
//                                                 reorders stashed synapses [first, first + order.size()) of a class:
//                                                 the i-th of them becomes the one that was order[i]-th
//   void move(std::uint32_t cls, std::uint32_t from, std::uint32_t to, std::uint32_t n)
//                                                 n stashed synapses' final class-relative positions
//   void move_each(std::uint32_t cls, const std::vector<std::uint32_t>& from, std::uint32_t to)
//                                                 stashed synapses from[i] to positions to + i
// An OnRow provides:
//   bool wants(std::uint64_t source) const       whether it wants to hear of that source's row (bucketed way)
//   void rows(const row_arrays&)                 once the population's rows are numbered, before any call of:
//   void operator()(std::uint64_t source, std::uint32_t row)
//                                                 a source's row (direct way: every row, from several threads)
#include <array>

#include "partition/error.hpp"
#include "partition/parallel_chunks.hpp"
#include "partition/source_placement.hpp"

namespace hetspike {

namespace detail {

/// Sorts n stash keys by their source bits (the high half), stably (two counting passes of 8 bits).
inline void sort_by_source(std::uint32_t* keys, std::uint32_t n, std::vector<std::uint32_t>& scratch) {
  scratch.resize(n);
  std::uint32_t* from = keys;
  std::uint32_t* to = scratch.data();
  for (int shift : {16, 24}) {
    std::array<std::uint32_t, 257> start{};
    for (std::uint32_t i = 0; i < n; ++i) ++start[((from[i] >> shift) & 0xff) + 1];
    if (start[1] == n) continue;  // one value in this byte: already in order
    for (std::size_t i = 1; i < start.size(); ++i) start[i] += start[i - 1];
    for (std::uint32_t i = 0; i < n; ++i) to[start[(from[i] >> shift) & 0xff]++] = from[i];
    std::swap(from, to);
  }
  if (from != keys) std::copy_n(from, n, keys);
}

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

/// Appends one chunk's rows (numbered from 0, arrays indexed from 0) to the population's: row ids, array indices,
/// list segment indices and plastic slots shifted past what is there.
inline void append_rows(row_arrays& to, row_arrays& chunk) {
  const auto row_base = static_cast<std::uint32_t>(to.num_rows);
  for (std::size_t r = 0; r < chunk.ranges.size(); ++r) {
    row_range range = chunk.ranges[r];
    switch (range.layout) {
      case row_layout::run:
        range.first += to.run_begin.size();
        break;
      case row_layout::list:
        range.first += to.list_begin.size();
        break;
      case row_layout::table:
        range.first += to.table_begin.size();
        break;
      case row_layout::single:
        break;
    }
    if (range.first_plastic != no_plastic_slot) range.first_plastic += to.num_plastic_slots;
    to.ranges.push_back(range);
    to.range_first_row.push_back(row_base + chunk.range_first_row[r]);
  }
  const auto segment_base = static_cast<std::uint32_t>(to.list_segments.size());
  for (auto i : chunk.list_begin) to.list_begin.push_back(segment_base + i);
  to.list_segments.insert(to.list_segments.end(), chunk.list_segments.begin(), chunk.list_segments.end());
  to.run_begin.insert(to.run_begin.end(), chunk.run_begin.begin(), chunk.run_begin.end());
  to.table_begin.insert(to.table_begin.end(), chunk.table_begin.begin(), chunk.table_begin.end());
  to.num_rows += chunk.num_rows;
  to.num_plastic_slots += chunk.num_plastic_slots;
  chunk = row_arrays{};
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
void source_placement::second_draw(Sink& sink, bool stash, std::vector<std::uint32_t>* keys,
                                   const std::vector<synapse_class>& classes) {
  const std::uint64_t population_first = classes[first_class()].first;
  const std::uint64_t low_mask = (std::uint64_t{1} << shift_) - 1;
  parallel_threads(threads_, [&](int th) {
    std::vector<std::uint32_t> positions, narrow;
    for (std::size_t ri = 0; ri < runs_.size(); ++ri) {
      const auto& r = runs_[ri];
      const bool visit = sink.visits(r.index);
      if (!visit && keys == nullptr) continue;
      const drawn* kept = drawn_.empty() ? nullptr : &drawn_[ri * static_cast<std::size_t>(threads_) + th];
      std::size_t next_source = 0, next_target = 0;
      auto one_target = [&](std::uint64_t local, std::span<const std::uint32_t> sources) {
        const std::uint32_t cls = classes_.of(r.index, local);
        std::uint32_t* cursor = &counter(cls - first_class(), th, 0);
        positions.resize(sources.size());
        for (std::size_t i = 0; i < sources.size(); ++i) positions[i] = cursor[sources[i] >> shift_]++;
        if (keys != nullptr) {
          std::uint32_t* key = keys->data() + (classes[cls].first - population_first);
          const auto offset = static_cast<std::uint32_t>(local % segment_block_size);
          for (std::size_t i = 0; i < sources.size(); ++i)
            key[positions[i]] = static_cast<std::uint32_t>(sources[i] & low_mask) << 16 | offset;
        }
        if (visit) sink.target(th, r, local, cls, sources, positions, stash);
      };
      if (kept != nullptr) {  // the sources the first draw kept
        for (std::uint64_t local = r.thread_begin[th]; local < r.thread_begin[th + 1]; ++local) {
          const std::uint32_t n = kept->per_target[next_target++];
          one_target(local, std::span<const std::uint32_t>(kept->sources.data() + next_source, n));
          next_source += n;
        }
        continue;
      }
      r.targets->for_each_in(r.target_first_index + r.thread_begin[th], r.target_first_index + r.thread_begin[th + 1],
                             [&](std::uint64_t t, const std::vector<std::uint64_t>& sources) {
                               narrow.assign(sources.begin(), sources.end());
                               one_target(t - r.target_first_index, narrow);
                             });
    }
  });
  std::vector<drawn>().swap(drawn_);  // the kept sources are in the stash now
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

}  // namespace hetspike

#include "partition/source_placement_bucketed.hpp"
