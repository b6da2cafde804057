#pragma once
// source_placement's bucketed way (see source_placement.hpp), included by source_placement_impl.hpp.
#include <span>
#include <utility>

#include "partition/uninitialized_array.hpp"

namespace hetspike {

namespace detail {

/// Room for at least n elements in an empty list: the bucketed way's lists are written by index within room made
/// once, not resized for every bucket and row (the zero-filling and capacity checks of a resize for each row of two or
/// three synapses were 5% of hpc_benchmark's build at P = 16,384). Unwritten room is never touched, so it costs no
/// memory (a rank of 131,072 puts nearly every synapse in a single row, and its lists of other rows stay empty).
template <class T>
void make_room(uninitialized_array<T>& a, std::size_t n) {
  if (a.size() < n) a.allocate(n);
}

/// Synapses on their way to the store: their stash positions and their targets' offsets (the key's low bits, noted
/// while the key is at hand: read again later it would be a miss). The first `size` entries of the room.
struct synapse_list {
  uninitialized_array<std::uint32_t> from;
  uninitialized_array<std::uint16_t> offset;
  std::size_t size = 0;
  void clear() { size = 0; }
  void room_for(std::size_t n) { make_room(from, n), make_room(offset, n); }
  std::span<const std::uint32_t> list() const { return {from.data(), size}; }
  /// Appends n synapses, within the room made for them.
  void append(const std::uint32_t* at, const std::uint32_t* key, std::uint32_t n, std::uint32_t mask) {
    for (std::uint32_t i = 0; i < n; ++i)
      from[size + i] = at[i], offset[size + i] = static_cast<std::uint16_t>(key[i] & mask);
    size += n;
  }
};

/// Per source of a bucket (by its low bits): whether it has one synapse or several, and whether its row is wanted,
/// as three sets of bits. (A byte per source was a 512 KiB table for Brunel's 2^19 sources a bucket at P = 131,072,
/// this machine's whole second-level cache, so nearly every mark missed it: a fifth of that build's CPU time.)
class source_marks {
 public:
  void resize(std::size_t sources) {
    const std::size_t words = (sources + 63) / 64;
    if (once_.size() == words) return;
    once_.assign(words, 0), several_.assign(words, 0), wanted_.assign(words, 0);
  }
  /// One more synapse of source s.
  void count(std::uint32_t s) {
    const std::uint64_t bit = std::uint64_t{1} << (s & 63);
    std::uint64_t& once = once_[s >> 6];
    several_[s >> 6] |= once & bit;
    once |= bit;
  }
  /// Whether counted source s has one synapse.
  bool single(std::uint32_t s) const { return ((several_[s >> 6] >> (s & 63)) & 1) == 0; }
  void want(std::uint32_t s) { wanted_[s >> 6] |= std::uint64_t{1} << (s & 63); }
  bool wanted(std::uint32_t s) const { return ((wanted_[s >> 6] >> (s & 63)) & 1) != 0; }
  /// Clears the counts of the `counted` synapses' sources, which each_source(f) calls f for: the whole sets once
  /// there are a quarter as many synapses as words, else word by word.
  template <class EachSource>
  void clear_counts(std::size_t counted, EachSource&& each_source) {
    if (counted >= once_.size() / 4) {
      std::fill(once_.begin(), once_.end(), 0), std::fill(several_.begin(), several_.end(), 0);
      return;
    }
    each_source([this](std::uint32_t s) { once_[s >> 6] = 0, several_[s >> 6] = 0; });
  }
  /// Clears the wanted marks of s and of the sources that share its word.
  void unwant(std::uint32_t s) { wanted_[s >> 6] = 0; }

 private:
  std::vector<std::uint64_t> once_, several_, wanted_;
};

/// What place_bucketed works in while it plans one chunk (it says what each list holds): one per thread, emptied
/// for each chunk, its capacity kept.
struct bucketed_scratch {
  struct multi {
    std::uint32_t source, first;  ///< first: into `spans`, a (at, count) pair per class
  };
  synapse_list one, others;
  std::vector<synapse_list> runs;
  std::vector<std::vector<std::uint32_t>> run_starts;
  std::vector<uninitialized_array<std::uint32_t>> multi_key, multi_at;
  std::vector<uninitialized_array<std::uint64_t>> pairs;
  uninitialized_array<std::uint64_t> pair_scratch;
  std::vector<multi> multis;
  std::vector<std::uint32_t> spans;
  std::vector<std::uint32_t> wanted_singles;  ///< (source, class, place counted from the zone's end) triples
  std::vector<std::uint32_t> wanted_runs;     ///< (source, class, run row within the class) triples
  std::vector<std::uint8_t> multi_wanted;
  source_marks marks;  ///< all clear between buckets (each bucket clears what it set)

  void begin(std::uint32_t classes, std::size_t sources_per_bucket) {
    one.clear(), others.clear();
    runs.resize(classes), run_starts.resize(classes), multi_key.resize(classes), multi_at.resize(classes);
    pairs.resize(classes);
    for (std::uint32_t k = 0; k < classes; ++k) runs[k].clear(), run_starts[k].clear();
    multis.clear(), spans.clear(), wanted_singles.clear(), wanted_runs.clear(), multi_wanted.clear();
    marks.resize(sources_per_bucket);
  }
};

}  // namespace detail

template <class Sink, class OnRow>
void source_placement::place_bucketed(row_parts& parts, Sink& sink, OnRow& on_row) {
  using detail::bucketed_scratch;
  // After count(): every class's synapses in the stash in (bucket, thread) stretches (stash_start_, counts_), as keys
  // of (source low bits << offset_bits_ | target offset), in the order they were drawn (a bucket's, thread after
  // thread: targets ascending); the sink holds whatever else it stashed in the same places. A class's synapses of
  // buckets before b, counted: bucket_start_.
  const std::uint32_t first = first_class();
  const int bits = offset_bits_;
  const std::uint32_t past = std::uint32_t{1} << shift_;  // above every source's low bits
  auto start_of = [&](std::uint32_t k, std::uint64_t b) { return bucket_start_[k * (buckets_ + 1) + b]; };
  auto keys_of = [&](std::uint32_t k) { return keys_.data() + key_base_[k]; };
  // f(i) for each stash position of class k's synapses in bucket b, in draw order.
  auto each_in = [&](std::uint32_t k, std::uint64_t b, auto&& f) {
    for (int th = 0; th < threads_; ++th) {
      const std::uint64_t s = (static_cast<std::uint64_t>(k) * threads_ + th) * buckets_ + b;
      for (std::uint32_t i = stash_start_[s], e = stash_start_[s] + counts_[s]; i < e; ++i) f(i);
    }
  };

  std::vector<std::uint8_t> plastic;
  for (std::uint32_t k = 0; k < num_classes_; ++k) plastic.push_back(classes_.classes[first + k].plastic);
  // A walk over the sources of several synapses in a bucket, in ascending order: a merge over the classes' lists
  // of such synapses, each sorted by source. For each source: its synapses per class (count) and where they start
  // in the lists (at).
  struct walk {
    std::vector<const std::uint32_t*> key;
    std::vector<std::uint32_t> at, end, count;
    std::uint32_t total = 0, only = 0;  ///< synapses of the source; with one class, that class
  };
  // The run of keys from i with the same source, within [i, e).
  auto run_end = [bits](const std::uint32_t* key, std::uint32_t i, std::uint32_t e) {
    const std::uint32_t low = key[i] >> bits;
    for (++i; i < e && key[i] >> bits == low; ++i) {
    }
    return i;
  };
  auto merge = [&](walk& w, auto&& f) {
    if (num_classes_ == 1) {  // the common cases written out: a population projecting into one or two blocks
      for (std::uint32_t i = w.at[0], e = w.end[0]; i < e;) {
        const std::uint32_t j = run_end(w.key[0], i, e);
        w.at[0] = i, w.count[0] = w.total = j - i, w.only = 0;
        f(w.key[0][i] >> bits, w);
        i = j;
      }
      return;
    }
    if (num_classes_ == 2) {
      const std::uint32_t *k0 = w.key[0], *k1 = w.key[1];
      std::uint32_t i = w.at[0], j = w.at[1];
      const std::uint32_t e0 = w.end[0], e1 = w.end[1];
      // Which class the next source is in is a coin toss: no branch on it (a mispredicted one costs more than the
      // rest of the step).
      while (i < e0 || j < e1) {
        const std::uint32_t a = i < e0 ? k0[i] >> bits : past, c = j < e1 ? k1[j] >> bits : past;
        const std::uint32_t low = std::min(a, c);
        std::uint32_t n0 = a == low, n1 = c == low;
        while (i + n0 < e0 && k0[i + n0] >> bits == low) ++n0;
        while (j + n1 < e1 && k1[j + n1] >> bits == low) ++n1;
        w.at[0] = i, w.at[1] = j, w.count[0] = n0, w.count[1] = n1;
        w.total = n0 + n1, w.only = n0 == 0;
        f(low, w);
        i += n0, j += n1;
      }
      return;
    }
    for (;;) {
      std::uint32_t low = past;
      for (std::uint32_t k = 0; k < num_classes_; ++k)
        if (w.at[k] < w.end[k]) low = std::min<std::uint32_t>(low, w.key[k][w.at[k]] >> bits);
      if (low == past) return;
      w.total = 0;
      for (std::uint32_t k = 0; k < num_classes_; ++k) {
        std::uint32_t i = w.at[k];
        while (i < w.end[k] && w.key[k][i] >> bits == low) ++i;
        w.count[k] = i - w.at[k];
        if (w.count[k] != 0) w.only = k;
        w.total += w.count[k];
      }
      f(low, w);
      for (std::uint32_t k = 0; k < num_classes_; ++k) w.at[k] += w.count[k];
    }
  };
  // Chunk by chunk, while its synapses are in cache, bucket by bucket: the bucket's synapses per source counted
  // (up to 2) in a table of its sources; each class's synapses of one-synapse sources (most of them, when ranks are
  // many) go, without a branch and in stash order, to the class's single rows, and the others, with their stash
  // positions, to a short list sorted by source (stably: draw order within a source) and walked. Then the chunk's
  // rows are laid out within its part of each class, numbered from 0, and the sink moves the synapses from the
  // stash to their places: the single rows' and the run rows' in bulk, the others row by row. The sources whose
  // rows the caller wants are noted with their chunk-local rows.
  struct chunk_rows {
    row_arrays rows;
    std::vector<std::pair<std::uint32_t, std::uint32_t>> wanted;  ///< (source, row within the chunk)
  };
  const std::uint64_t chunks = std::min<std::uint64_t>(buckets_, 64);
  auto chunk_begin = [&](std::uint64_t q) { return buckets_ * q / chunks; };
  std::vector<chunk_rows> done(chunks);
  // Each thread's lists, kept from chunk to chunk so that their pages are touched once (fresh ones for every chunk,
  // and lists grown by doubling, took a sixth of hpc_benchmark's build at P = 16,384).
  std::vector<bucketed_scratch> scratch(threads_);
  parallel_chunks(chunks, threads_, [&](std::size_t q) {
    const std::uint64_t b0 = chunk_begin(q), b1 = chunk_begin(q + 1);
    row_planner planner(first, plastic);
    std::vector<row_planner::tally> tally{planner.make_tally()};
    bucketed_scratch& s = scratch[static_cast<std::size_t>(build_thread())];
    s.begin(num_classes_, std::size_t{1} << shift_);
    const std::uint32_t offset_mask = (std::uint32_t{1} << bits) - 1;
    // The single rows' synapses fill the chunk's single zone of their class, the last of its part (row_planner), from
    // its end: bucket by bucket, each bucket's in draw order before the previous bucket's. So they go to the store
    // bucket by bucket, while the bucket's list of them is in cache, without waiting for the chunk's layout.
    auto& one = s.one;                                          // one class's in one bucket
    std::vector<std::uint32_t> singles_taken(num_classes_, 0);  // per class: the chunk's so far
    auto& wanted_singles = s.wanted_singles;
    // Rows of more than one synapse, all in one class (run rows), likewise per class in source order: their
    // synapses' stash positions and where each row starts among them. Room for as many as the chunk may hold.
    auto& runs = s.runs;
    std::uint64_t chunk_synapses = 0;
    for (std::uint32_t k = 0; k < num_classes_; ++k) {
      runs[k].room_for(start_of(k, b1) - start_of(k, b0));
      chunk_synapses += start_of(k, b1) - start_of(k, b0);
    }
    auto& run_starts = s.run_starts;
    auto& wanted_runs = s.wanted_runs;
    // The other rows: per row its source and, per class, how many synapses it has and where they start in
    // `others`.
    auto& multis = s.multis;
    auto& spans = s.spans;
    auto& others = s.others;
    others.room_for(chunk_synapses);
    auto& multi_wanted = s.multi_wanted;
    wanted_cursor wanted(on_row.wanted(), b0 << shift_);
    // Per source of the bucket: one synapse or several, and whether it is wanted.
    auto& marks = s.marks;
    // Per class, the bucket's synapses of several-synapse sources: (key << 32 | stash position), then split into
    // keys and positions once sorted.
    auto& pairs = s.pairs;
    auto& pair_scratch = s.pair_scratch;
    auto& multi_key = s.multi_key;
    auto& multi_at = s.multi_at;
    walk split;
    split.key.resize(num_classes_), split.at.resize(num_classes_), split.end.resize(num_classes_);
    split.count.resize(num_classes_);
    for (std::uint64_t b = b0; b < b1; ++b) {
      const std::uint64_t bucket_first = b << shift_, bucket_end = (b + 1) << shift_;
      const bool every = wanted.every(), some = !every && wanted.any(bucket_first, bucket_end);
      if (some)
        wanted.each(bucket_first, bucket_end,
                    [&](std::uint64_t s) { marks.want(static_cast<std::uint32_t>(s - bucket_first)); });
      for (std::uint32_t k = 0; k < num_classes_; ++k) {
        const std::uint32_t* key = keys_of(k);
        each_in(k, b, [&](std::uint32_t i) { marks.count(key[i] >> bits); });
      }
      for (std::uint32_t k = 0; k < num_classes_; ++k) {
        const std::uint32_t* key = keys_of(k);
        const std::uint32_t in_bucket = start_of(k, b + 1) - start_of(k, b);
        auto& several = pairs[k];
        std::size_t n = 0, m = 0;
        one.room_for(in_bucket), detail::make_room(several, in_bucket);
        each_in(k, b, [&](std::uint32_t i) {
          const std::uint32_t x = key[i];
          const bool single = marks.single(x >> bits);
          one.from[n] = i, one.offset[n] = static_cast<std::uint16_t>(x & offset_mask), n += single;
          several[m] = std::uint64_t{x} << 32 | i, m += !single;
        });
        planner.count_singles(k, n, tally[0]);
        one.size = n;
        const std::uint32_t taken = singles_taken[k] += static_cast<std::uint32_t>(n);
        if (n != 0) sink.move_each(first + k, one.list(), one.offset.data(), start_of(k, b1) - taken);
        if (every || some)
          for (std::size_t j = 0; j < n; ++j) {
            const std::uint32_t low = key[one.from[j]] >> bits;
            if (every || marks.wanted(low))
              wanted_singles.insert(wanted_singles.end(), {static_cast<std::uint32_t>(bucket_first | low), k,
                                                           taken - static_cast<std::uint32_t>(j)});
          }
        detail::sort_by_source(several, m, 32 + bits, pair_scratch);
        detail::make_room(multi_key[k], m), detail::make_room(multi_at[k], m);
        for (std::size_t j = 0; j < m; ++j)
          multi_key[k][j] = static_cast<std::uint32_t>(several[j] >> 32),
          multi_at[k][j] = static_cast<std::uint32_t>(several[j]);
        split.key[k] = multi_key[k].data(), split.at[k] = 0, split.end[k] = static_cast<std::uint32_t>(m);
      }
      merge(split, [&](std::uint32_t low, const walk& v) {
        const auto source = static_cast<std::uint32_t>(bucket_first | low);
        const bool wants = every || marks.wanted(low);
        if (v.count[v.only] == v.total) {  // a run row
          const std::uint32_t k = v.only;
          if (wants)
            wanted_runs.insert(wanted_runs.end(), {source, k, static_cast<std::uint32_t>(run_starts[k].size())});
          run_starts[k].push_back(static_cast<std::uint32_t>(runs[k].size));
          runs[k].append(&multi_at[k][v.at[k]], &multi_key[k][v.at[k]], v.total, offset_mask);
          planner.count_runs(k, 1, v.total, tally[0]);
          return;
        }
        planner.count(v.count.data(), tally[0]);
        multis.push_back({source, static_cast<std::uint32_t>(spans.size())});
        multi_wanted.push_back(wants);
        for (std::uint32_t k = 0; k < num_classes_; ++k) {
          spans.insert(spans.end(), {static_cast<std::uint32_t>(others.size), v.count[k]});
          others.append(multi_at[k].data() + v.at[k], multi_key[k].data() + v.at[k], v.count[k], offset_mask);
        }
      });
      // The marks cleared for the next bucket.
      if (some)
        wanted.each(bucket_first, bucket_end,
                    [&](std::uint64_t s) { marks.unwant(static_cast<std::uint32_t>(s - bucket_first)); });
      std::size_t in_bucket = 0;
      for (std::uint32_t k = 0; k < num_classes_; ++k) in_bucket += start_of(k, b + 1) - start_of(k, b);
      marks.clear_counts(in_bucket, [&](auto&& forget) {
        for (std::uint32_t k = 0; k < num_classes_; ++k) {
          const std::uint32_t* key = keys_of(k);
          each_in(k, b, [&](std::uint32_t i) { forget(key[i] >> bits); });
        }
      });
    }
    std::vector<std::uint64_t> base(num_classes_), sizes;
    for (std::uint32_t k = 0; k < num_classes_; ++k) base[k] = start_of(k, b0);
    auto& out = done[q];
    auto cursor = planner.lay_out(tally, out.rows, sizes, base.data()).front();
    for (std::uint32_t k = 0; k < num_classes_; ++k)
      if (sizes[k] != start_of(k, b1) - start_of(k, b0))  // then the single zone ends where its synapses were put
        throw internal_error("source_placement: a chunk's rows laid out for other class sizes");
    std::vector<std::uint32_t> run_first_row(num_classes_, 0);
    for (std::uint32_t k = 0; k < num_classes_; ++k) {
      if (runs[k].size == 0) continue;
      std::uint32_t position = 0;
      run_first_row[k] = planner.place_runs(cursor, k, run_starts[k], runs[k].size, position, out.rows);
      sink.move_each(first + k, runs[k].list(), runs[k].offset.data(), position);
    }
    for (std::size_t i = 0; i < wanted_runs.size(); i += 3)
      out.wanted.emplace_back(wanted_runs[i], run_first_row[wanted_runs[i + 1]] + wanted_runs[i + 2]);
    for (std::size_t i = 0; i < wanted_singles.size(); i += 3) {
      const std::uint32_t k = wanted_singles[i + 1];
      out.wanted.emplace_back(wanted_singles[i], static_cast<std::uint32_t>(planner.single_first_row(k) +
                                                                            singles_taken[k] - wanted_singles[i + 2]));
    }
    std::vector<std::uint32_t> counts(num_classes_), positions(num_classes_);
    for (std::size_t mi = 0; mi < multis.size(); ++mi) {
      const auto& m = multis[mi];
      for (std::uint32_t k = 0; k < num_classes_; ++k) counts[k] = spans[m.first + 2 * k + 1];
      const std::uint32_t row = planner.place(cursor, counts.data(), positions.data(), out.rows);
      for (std::uint32_t k = 0; k < num_classes_; ++k)
        if (counts[k] != 0) {
          const std::uint32_t at = spans[m.first + 2 * k];
          sink.move_each(first + k, std::span<const std::uint32_t>(others.from.data() + at, counts[k]),
                         others.offset.data() + at, positions[k]);
        }
      if (multi_wanted[mi]) out.wanted.emplace_back(m.source, row);
    }
  });
  sink.stash_end();
  keys_.release();
  std::vector<std::uint32_t>().swap(counts_);
  std::vector<std::uint32_t>().swap(stash_start_);
  // Each chunk's rows a part, numbered from row_base[q] among all.
  std::vector<std::uint64_t> row_base;
  for (auto& c : done) {
    row_base.push_back(total_rows(parts));
    parts.push_back(std::move(c.rows));
  }
  on_row.rows(parts);
  for (std::size_t q = 0; q < done.size(); ++q)
    for (auto [source, row] : done[q].wanted) on_row(source, static_cast<std::uint32_t>(row_base[q] + row));
}

}  // namespace hetspike
