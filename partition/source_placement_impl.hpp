#pragma once
// source_placement::place and its two ways (see source_placement.hpp), included by the .cpp files that place
// synapses (the builder, the locator, the route replay of an emulated rank).
//
// A Sink provides:
//   bool visits(std::size_t projection) const    whether it wants that projection's synapses
//   void target(int thread, const source_placement::projection_run& run, std::uint64_t local_target,
//               std::uint32_t cls, const std::vector<std::uint32_t>& positions, bool stashed)
//                                                 one target's synapses, in draw order, by their class-relative
//                                                 positions: final ones, or (stashed) their place in the class's
//                                                 bucket stretch, to be moved later
//   void stash_begin(const source_placement&, const std::vector<std::uint64_t>& room), stash_end()
//                                                 around the bucketed way's stash: room per class of the population
//                                                 (a draw that overflows begins again: forget what it noted)
//   bool stashes(std::uint32_t cls) const        whether it stashes anything of the class's synapses itself (if not,
//                                                 the bucketed way does not call target() for them)
//   void move_each(std::uint32_t cls, std::span<const std::uint32_t> from, const std::uint16_t* offsets,
//                  std::uint32_t to)              the stashed synapses at class-relative stash positions from[i], whose
//                                                 targets' offsets are offsets[i], go to class-relative positions to +
//                                                 i
// An OnRow provides:
//   wanted_sources wanted() const                the sources whose rows it wants to hear of
//   void rows(const row_parts&)                  once the population's rows are numbered, before any call of:
//   void operator()(std::uint64_t source, std::uint32_t row)
//                                                 a wanted source's row (from several threads at once)
#include <array>

#include "partition/error.hpp"
#include "partition/parallel_chunks.hpp"
#include "partition/row_parts.hpp"
#include "partition/source_placement.hpp"

namespace hetspike {

namespace detail {

/// Sorts from[0, n) by bits [low, high) of its elements, stably: counting passes of at most 11 bits (their
/// counters stay in the first-level cache), the least significant first. Leaves the result in `from` (the two
/// pointers are swapped after each pass).
template <class T>
void radix_passes(T*& from, T*& to, std::size_t n, int low, int high) {
  constexpr int max_digit = 11;
  const int passes = (high - low + max_digit - 1) / max_digit;
  std::array<std::uint32_t, (1u << max_digit) + 1> start;
  for (int p = 0; p < passes; ++p) {
    const int shift = low + (high - low) * p / passes, width = low + (high - low) * (p + 1) / passes - shift;
    const T mask = (T{1} << width) - 1;
    const std::size_t digits = std::size_t{1} << width;
    std::fill_n(start.begin(), digits + 1, 0u);
    for (std::size_t i = 0; i < n; ++i) ++start[((from[i] >> shift) & mask) + 1];
    if (start[1] == n) continue;  // one value in this digit: already in order
    for (std::size_t i = 1; i <= digits; ++i) start[i] += start[i - 1];
    for (std::size_t i = 0; i < n; ++i) to[start[(from[i] >> shift) & mask]++] = from[i];
    std::swap(from, to);
  }
}

/// Sorts the first n 64-bit keys by their bits from `low` up, stably (the result may come to lie in what was the
/// scratch: the two are swapped; both have room for n).
inline void sort_by_source(uninitialized_array<std::uint64_t>& keys, std::size_t n, int low,
                           uninitialized_array<std::uint64_t>& scratch) {
  if (scratch.size() < n) scratch.allocate(n);
  std::uint64_t* from = keys.data();
  std::uint64_t* to = scratch.data();
  radix_passes(from, to, n, low, 64);
  if (from != keys.data()) std::swap(keys, scratch);
}

}  // namespace detail

template <class Sink>
void source_placement::count(Sink& sink) {
  if (!bucketed()) {
    count_buckets();
    sum_counts();
    return;
  }
  // One draw into stretches with room for what is expected; should one overflow (rarely: six standard deviations),
  // the stretches are counted first and the draw starts again with exact room.
  if (!estimate_room() || !stash_draw(sink)) {
    count_buckets();
    if (!stash_draw(sink)) throw internal_error("source_placement: a stretch overflowed its counted room");
  }
  sum_counts();
  count_buckets_before();
}

template <class Sink, class OnRow>
void source_placement::place(const std::vector<synapse_class>& classes, row_parts& parts, Sink& sink, OnRow&& on_row) {
  if (num_synapses() == 0) {  // no rows: not even a pass over the population's sources
    if (bucketed()) sink.stash_end();
    return;
  }
  if (shift_ == 0)
    place_direct(classes, parts, sink, on_row);
  else
    place_bucketed(parts, sink, on_row);
}

template <class Sink>
void source_placement::second_draw(Sink& sink) {
  parallel_threads(threads_, [&](int th) {
    std::vector<std::uint32_t> positions;
    for (std::size_t i = 0; i < runs_.size(); ++i) {
      const auto& r = runs_[i];
      if (!sink.visits(r.index)) continue;
      auto place = [&](std::uint64_t t, const auto& sources) {
        const std::uint64_t local = t - r.target_first_index;
        const std::uint32_t cls = classes_.of(r.index, local);
        std::uint32_t* cursor = &counter(cls - first_class(), th, 0);
        positions.resize(sources.size());
        for (std::size_t j = 0; j < sources.size(); ++j) positions[j] = cursor[sources[j]]++;
        sink.target(th, r, local, cls, positions, false);
      };
      const std::uint64_t begin = r.target_first_index + r.thread_begin[th];
      if (drawn_.empty())
        r.targets->for_each_in(begin, r.target_first_index + r.thread_begin[th + 1], place);
      else
        drawn_[i * threads_ + th].for_each(begin, place);
    }
  });
  std::vector<drawn_sources>().swap(drawn_);  // given back before the next population is placed
}

namespace detail {

/// Asks for the cache line after the one holding `at`, to be written. The stash draw appends to thousands of
/// stretches at once, more than the hardware prefetchers follow: each stretch's next line, asked for when its current
/// line is written (the first ask fetches it), is in the second-level cache when its turn comes, not in the third or in
/// memory (Brunel's emulated rank of 131,072, 4,000 stretches per thread: the build 8% faster; a line past an array's
/// end is only a hint, never a fault).
inline void prefetch_next_line(const std::uint32_t* at) {
  __builtin_prefetch(reinterpret_cast<const void*>(reinterpret_cast<std::uintptr_t>(at) + 64), 1, 2);
}

}  // namespace detail

template <class Sink>
bool source_placement::stash_draw(Sink& sink) {
  // Stretches in bucket order, within a bucket thread by thread, each with its room (counts_).
  stash_start_.assign(counts_.size(), 0);
  std::vector<std::uint64_t> room(num_classes_, 0);
  key_base_.assign(num_classes_ + 1, 0);
  for (std::uint32_t k = 0; k < num_classes_; ++k) {
    std::uint64_t at = 0;
    for (std::uint64_t b = 0; b < buckets_; ++b)
      for (int th = 0; th < threads_; ++th) {
        stash_start_[(static_cast<std::uint64_t>(k) * threads_ + th) * buckets_ + b] = static_cast<std::uint32_t>(at);
        at += counter(k, th, b);
      }
    if (at >= std::numeric_limits<std::uint32_t>::max()) return false;
    room[k] = at;
    key_base_[k + 1] = key_base_[k] + at;
  }
  keys_.allocate(key_base_.back());
  sink.stash_begin(*this, room);
  const std::uint64_t low_mask = (std::uint64_t{1} << shift_) - 1;
  std::vector<std::uint32_t> end = stash_start_, limit = stash_start_;  // each stretch's next free place, its end
  for (std::uint64_t i = 0; i < limit.size(); ++i) limit[i] += counts_[i];
  std::vector<std::uint8_t> overflow(threads_, 0);
  parallel_threads(threads_, [&](int th) {
    std::vector<std::uint32_t> positions;
    for (const auto& r : runs_)
      r.targets->for_each_in(r.target_first_index + r.thread_begin[th], r.target_first_index + r.thread_begin[th + 1],
                             [&](std::uint64_t t, const std::vector<std::uint64_t>& sources) {
                               if (overflow[th]) return;
                               const std::uint64_t local = t - r.target_first_index;
                               const std::uint32_t cls = classes_.of(r.index, local), k = cls - first_class();
                               const std::uint64_t at = (static_cast<std::uint64_t>(k) * threads_ + th) * buckets_;
                               std::uint32_t* next = end.data() + at;
                               const std::uint32_t* last = limit.data() + at;
                               std::uint32_t* key = keys_.data() + key_base_[k];
                               const auto offset = static_cast<std::uint32_t>(local % segment_block_size);
                               const bool stashed =
                                   sink.visits(r.index) && sink.stashes(cls);  // the sink keeps values of them too
                               positions.resize(stashed ? sources.size() : 0);
                               for (std::size_t i = 0; i < sources.size(); ++i) {
                                 const std::uint64_t b = sources[i] >> shift_;
                                 const std::uint32_t p = next[b];
                                 if (p == last[b]) {
                                   overflow[th] = 1;
                                   return;
                                 }
                                 next[b] = p + 1;
                                 key[p] = static_cast<std::uint32_t>(sources[i] & low_mask) << offset_bits_ | offset;
                                 detail::prefetch_next_line(key + p);
                                 if (stashed) positions[i] = p;
                               }
                               if (stashed) sink.target(th, r, local, cls, positions, true);
                             });
  });
  if (std::any_of(overflow.begin(), overflow.end(), [](std::uint8_t o) { return o != 0; })) return false;
  for (std::uint64_t i = 0; i < counts_.size(); ++i) counts_[i] = end[i] - stash_start_[i];  // what each holds
  return true;
}

template <class Sink, class OnRow>
void source_placement::place_direct(const std::vector<synapse_class>& classes, row_parts& parts, Sink& sink,
                                    OnRow& on_row) {
  // The population's rows: one part, numbered from row_base among all.
  const std::uint64_t row_base = total_rows(parts);
  row_arrays& arrays = parts.emplace_back();
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
  on_row.rows(parts);
  // Each (class, thread, source) counter becomes the position of that thread's first synapse of the source.
  parallel_chunks(chunks, threads_, [&](std::size_t q) {
    std::vector<std::uint32_t> counts(num_classes_), positions(num_classes_);
    wanted_cursor wanted(on_row.wanted(), chunk_begin(q));
    for (std::uint64_t s = chunk_begin(q); s < chunk_begin(q + 1); ++s) {
      if (!source_counts(s, counts.data())) continue;
      const std::uint32_t row = planner.place(cursors[q], counts.data(), positions.data(), arrays);
      if (wanted.wants(s)) on_row(s, static_cast<std::uint32_t>(row_base + row));
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
  second_draw(sink);
}

}  // namespace hetspike

#include "partition/source_placement_bucketed.hpp"
