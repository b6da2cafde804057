#pragma once
// source_placement's bucketed way (see source_placement.hpp), included by source_placement_impl.hpp.
#include <utility>

namespace hetspike {

template <class Sink, class OnRow>
void source_placement::place_bucketed(row_arrays& arrays, Sink& sink, OnRow& on_row) {
  // After count(): every class's synapses in the stash in bucket order (bucket_start_), as keys of (source low
  // bits << offset_bits_ | target offset); the sink holds whatever else it stashed in the same places.
  const std::uint32_t first = first_class();
  const int bits = offset_bits_;
  const std::uint32_t past = std::uint32_t{1} << shift_;  // above every source's low bits
  auto start_of = [&](std::uint32_t k, std::uint64_t b) { return bucket_start_[k * (buckets_ + 1) + b]; };
  auto keys_of = [&](std::uint32_t k) { return keys_.data() + key_base_[k]; };
  std::vector<std::uint32_t>().swap(counts_);

  std::vector<std::uint8_t> plastic;
  for (std::uint32_t k = 0; k < num_classes_; ++k) plastic.push_back(classes_.classes[first + k].plastic);
  // A walk over one bucket's sources in ascending order, the classes' stretches of the bucket being sorted by
  // source: a merge over the classes. For each source: its synapses per class (count) and where they start (at).
  struct walk {
    std::vector<const std::uint32_t*> key;
    std::vector<std::uint32_t> at, end, count;
    std::uint32_t total = 0, only = 0;  ///< synapses of the source; with one, its class
  };
  auto make_walk = [&] {
    walk w;
    for (std::uint32_t k = 0; k < num_classes_; ++k) w.key.push_back(keys_of(k));
    w.at.resize(num_classes_), w.end.resize(num_classes_), w.count.resize(num_classes_);
    return w;
  };
  // The run of keys from i with the same source, within [i, e).
  auto run_end = [bits](const std::uint32_t* key, std::uint32_t i, std::uint32_t e) {
    const std::uint32_t low = key[i] >> bits;
    for (++i; i < e && key[i] >> bits == low; ++i) {
    }
    return i;
  };
  // The merge over [at, end) of each class's keys.
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
  auto for_each_source = [&](std::uint64_t b, walk& w, auto&& f) {
    for (std::uint32_t k = 0; k < num_classes_; ++k) w.at[k] = start_of(k, b), w.end[k] = start_of(k, b + 1);
    merge(w, f);
  };
  // Chunk by chunk, while its synapses are in cache: each class's stretch of each bucket sorted by source (stably:
  // draw order within a source), the stash moved alike; the chunk's sources walked once to count its rows, noting
  // where each one-synapse source's synapse is (most sources, when ranks are many) and, for the others, their
  // synapses per class; the rows laid out within the chunk's part of each class, numbered from 0; the single rows
  // moved in bulk, the others placed one by one. The sources whose rows the caller wants are noted with their
  // chunk-local rows.
  struct chunk_rows {
    row_arrays rows;
    std::vector<std::pair<std::uint32_t, std::uint32_t>> wanted;  ///< (source, row within the chunk)
  };
  const std::uint64_t chunks = std::min<std::uint64_t>(buckets_, 64);
  auto chunk_begin = [&](std::uint64_t q) { return buckets_ * q / chunks; };
  std::vector<chunk_rows> done(chunks);
  parallel_chunks(chunks, threads_, [&](std::size_t q) {
    const std::uint64_t b0 = chunk_begin(q), b1 = chunk_begin(q + 1);
    std::vector<std::uint64_t> pairs, pair_scratch;
    std::vector<std::uint32_t> scratch, order, positions(num_classes_);
    for (std::uint64_t b = b0; b < b1; ++b)
      for (std::uint32_t k = 0; k < num_classes_; ++k) {
        const std::uint32_t lo = start_of(k, b), n = start_of(k, b + 1) - lo;
        if (n < 2) continue;
        std::uint32_t* key = keys_of(k) + lo;
        if (!sink.permutes(first + k)) {  // the key carries all there is
          detail::sort_by_source(key, n, bits, scratch);
          continue;
        }
        pairs.resize(n);
        for (std::uint32_t i = 0; i < n; ++i) pairs[i] = std::uint64_t{key[i]} << 32 | i;
        detail::sort_by_source(pairs, 32 + bits, pair_scratch);
        order.resize(n);
        for (std::uint32_t i = 0; i < n; ++i)
          order[i] = static_cast<std::uint32_t>(pairs[i]), key[i] = static_cast<std::uint32_t>(pairs[i] >> 32);
        sink.permute(first + k, lo, order);
      }
    row_planner planner(first, plastic);
    std::vector<row_planner::tally> tally{planner.make_tally()};
    std::vector<std::vector<std::uint32_t>> singles(num_classes_);  // per class: stash positions, in row order
    for (std::uint32_t k = 0; k < num_classes_; ++k) singles[k].reserve(start_of(k, b1) - start_of(k, b0));
    std::vector<std::uint32_t> wanted_singles;  // (source, class, index) triples
    // Rows of more than one synapse, all in one class (run rows), likewise per class in source order: their
    // synapses' stash positions and where each row starts among them, placed in bulk after the single rows.
    std::vector<std::vector<std::uint32_t>> runs(num_classes_), run_starts(num_classes_);
    std::vector<std::uint32_t> wanted_runs;  // (source, class, run row within the class) triples
    auto add_run = [&](std::uint32_t k, std::uint32_t at, std::uint32_t n) {
      run_starts[k].push_back(static_cast<std::uint32_t>(runs[k].size()));
      for (std::uint32_t j = 0; j < n; ++j) runs[k].push_back(at + j);
      planner.count_runs(k, 1, n, tally[0]);
    };
    struct multi {
      std::uint32_t source, first;  ///< first: into `spans`, num_classes_ (at, count) pairs
    };
    std::vector<multi> multis;
    std::vector<std::uint32_t> spans;
    walk w = make_walk();
    auto wanted = on_row.from(b0 << shift_);
    std::vector<std::uint8_t> multi_wanted;
    auto add_multi = [&](std::uint32_t source, const walk& v, bool wants) {
      planner.count(v.count.data(), tally[0]);
      multis.push_back({source, static_cast<std::uint32_t>(spans.size())});
      multi_wanted.push_back(wants);
      for (std::uint32_t k = 0; k < num_classes_; ++k) spans.insert(spans.end(), {v.at[k], v.count[k]});
    };
    // A bucket none of whose sources is wanted (nearly every bucket) is split without walking its sources one by
    // one: their synapses over all classes are counted (up to 2) in a table of the bucket's sources, then each
    // class's keys go, without a branch, to its single rows or to a short list of the others, which are merged.
    std::vector<std::uint8_t> seen(std::size_t{1} << shift_, 0);
    std::vector<std::vector<std::uint32_t>> multi_key(num_classes_), multi_at(num_classes_);
    walk split = make_walk(), found = make_walk();
    auto split_bucket = [&](std::uint64_t b) {
      for (std::uint32_t k = 0; k < num_classes_; ++k) {
        const std::uint32_t* key = keys_of(k);
        for (std::uint32_t i = start_of(k, b), e = start_of(k, b + 1); i < e; ++i) {
          std::uint8_t& n = seen[key[i] >> bits];
          n += n < 2;
        }
      }
      for (std::uint32_t k = 0; k < num_classes_; ++k) {
        const std::uint32_t* key = keys_of(k);
        const std::uint32_t lo = start_of(k, b), e = start_of(k, b + 1);
        auto& one = singles[k];
        auto &mk = multi_key[k], &ma = multi_at[k];
        const std::size_t before = one.size();
        std::size_t n = before, m = 0;
        one.resize(before + (e - lo)), mk.resize(e - lo), ma.resize(e - lo);
        for (std::uint32_t i = lo; i < e; ++i) {
          const std::uint32_t x = key[i];
          const bool single = seen[x >> bits] == 1;
          one[n] = i, n += single;
          mk[m] = x, ma[m] = i, m += !single;
        }
        planner.count_singles(k, n - before, tally[0]);
        one.resize(n);
        split.key[k] = mk.data(), split.at[k] = 0, split.end[k] = static_cast<std::uint32_t>(m);
      }
      for (std::uint32_t k = 0; k < num_classes_; ++k) {
        const std::uint32_t* key = keys_of(k);
        for (std::uint32_t i = start_of(k, b), e = start_of(k, b + 1); i < e; ++i) seen[key[i] >> bits] = 0;
      }
      merge(split, [&](std::uint32_t low, const walk& v) {
        if (v.count[v.only] == v.total) return add_run(v.only, multi_at[v.only][v.at[v.only]], v.total);
        for (std::uint32_t k = 0; k < num_classes_; ++k)
          found.at[k] = v.count[k] != 0 ? multi_at[k][v.at[k]] : 0, found.count[k] = v.count[k];
        add_multi(static_cast<std::uint32_t>(b << shift_ | low), found, false);
      });
    };
    // Once a bucket is split, its keys keep only their targets' offsets: what the sink moves to the store.
    const std::uint32_t offset_mask = (std::uint32_t{1} << bits) - 1;
    auto strip = [&](std::uint64_t b) {
      for (std::uint32_t k = 0; k < num_classes_; ++k) {
        std::uint32_t* key = keys_of(k);
        for (std::uint32_t i = start_of(k, b), e = start_of(k, b + 1); i < e; ++i) key[i] &= offset_mask;
      }
    };
    for (std::uint64_t b = b0; b < b1; ++b) {
      if (!wanted.wants_any(b << shift_, (b + 1) << shift_)) {
        split_bucket(b);
        strip(b);
        continue;
      }
      for_each_source(b, w, [&](std::uint32_t low, const walk& v) {
        const auto source = static_cast<std::uint32_t>(b << shift_ | low);
        const bool wants = wanted.wants(source);
        if (v.total == 1) {
          if (wants)
            wanted_singles.insert(wanted_singles.end(),
                                  {source, v.only, static_cast<std::uint32_t>(singles[v.only].size())});
          planner.count_single(v.only, tally[0]);
          singles[v.only].push_back(v.at[v.only]);
          return;
        }
        if (v.count[v.only] == v.total) {
          if (wants)
            wanted_runs.insert(wanted_runs.end(),
                               {source, v.only, static_cast<std::uint32_t>(run_starts[v.only].size())});
          add_run(v.only, v.at[v.only], v.total);
          return;
        }
        add_multi(source, v, wants);
      });
      strip(b);
    }
    std::vector<std::uint64_t> base(num_classes_), sizes;
    for (std::uint32_t k = 0; k < num_classes_; ++k) base[k] = start_of(k, b0);
    auto& out = done[q];
    auto cursor = planner.lay_out(tally, out.rows, sizes, base.data()).front();
    for (std::uint32_t k = 0; k < num_classes_; ++k) {
      if (sizes[k] != start_of(k, b1) - start_of(k, b0))
        throw internal_error("source_placement: a chunk's rows laid out for other class sizes");
      if (!singles[k].empty())
        sink.move_each(first + k, keys_of(k), singles[k], static_cast<std::uint32_t>(planner.single_zone(k)));
    }
    std::vector<std::uint32_t> run_first_row(num_classes_, 0);
    for (std::uint32_t k = 0; k < num_classes_; ++k) {
      if (runs[k].empty()) continue;
      std::uint32_t position = 0;
      run_first_row[k] = planner.place_runs(cursor, k, run_starts[k], runs[k].size(), position, out.rows);
      sink.move_each(first + k, keys_of(k), runs[k], position);
    }
    for (std::size_t i = 0; i < wanted_runs.size(); i += 3)
      out.wanted.emplace_back(wanted_runs[i], run_first_row[wanted_runs[i + 1]] + wanted_runs[i + 2]);
    for (std::size_t i = 0; i < wanted_singles.size(); i += 3)
      out.wanted.emplace_back(
          wanted_singles[i],
          static_cast<std::uint32_t>(planner.single_first_row(wanted_singles[i + 1]) + wanted_singles[i + 2]));
    std::vector<std::uint32_t> counts(num_classes_);
    for (std::size_t mi = 0; mi < multis.size(); ++mi) {
      const multi& m = multis[mi];
      for (std::uint32_t k = 0; k < num_classes_; ++k) counts[k] = spans[m.first + 2 * k + 1];
      const std::uint32_t row = planner.place(cursor, counts.data(), positions.data(), out.rows);
      for (std::uint32_t k = 0; k < num_classes_; ++k)
        if (counts[k] != 0) sink.move(first + k, keys_of(k), spans[m.first + 2 * k], positions[k], counts[k]);
      if (multi_wanted[mi]) out.wanted.emplace_back(m.source, row);
    }
  });
  sink.stash_end();
  keys_.release();
  std::vector<std::uint32_t> row_base;
  for (auto& c : done) {
    row_base.push_back(static_cast<std::uint32_t>(arrays.num_rows));
    detail::append_rows(arrays, c.rows);
  }
  on_row.rows(arrays);
  for (std::size_t q = 0; q < done.size(); ++q)
    for (auto [source, row] : done[q].wanted) on_row(source, row_base[q] + row);
}

}  // namespace hetspike
