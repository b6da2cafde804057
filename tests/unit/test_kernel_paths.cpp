// The GPU-shaped kernel paths (atomic spike collection, a team per delivered spike, a Poisson count per thread)
// give exactly what the host paths give, run here on the host: the same spike list after sorting, the same ring
// buffer sums; and so does the threaded host path (each thread its own targets), whatever the split.
#include <gtest/gtest.h>

#include <vector>

#include "kernels/poisson_input.hpp"
#include "kernels/random.hpp"
#include "kernels/spike_collect.hpp"
#include "kernels/spike_delivery.hpp"
#include "kernels/synapse_store_assembly.hpp"

namespace hetspike {
namespace {

using exec = Kokkos::DefaultHostExecutionSpace;
using mem = exec::memory_space;

TEST(kernel_paths, atomic_collection_equals_the_prefix_sum_after_sorting) {
  Kokkos::View<std::uint8_t*, mem> flags("flags", 1000);
  random_stream s(make_rng_key(1, rng_purpose::connectivity, 0), 0);
  for (int i = 0; i < 1000; ++i) flags(i) = s.below(5) == 0;
  Kokkos::View<local_spike*, mem> a("a", 3000), b("b", 3000);
  const spike_collector<exec, true> atomic;
  const spike_collector<exec, false> scan;
  std::uint64_t na = 0, nb = 0;
  for (std::uint32_t lag = 0; lag < 3; ++lag) {
    na += atomic.collect(exec(), flags, lag, a, na);
    nb += scan.collect(exec(), flags, lag, b, nb);
  }
  ASSERT_EQ(na, nb);
  ASSERT_GT(na, 300u);
  sort_interval_spikes(std::span<local_spike>(a.data(), na));
  for (std::uint64_t i = 0; i < na; ++i) {
    ASSERT_EQ(a(i).lid, b(i).lid) << i;
    ASSERT_EQ(a(i).lag, b(i).lag) << i;
  }
}

TEST(kernel_paths, poisson_lanes_equal_the_per_neuron_search) {
  // Means whose tables take the lanes (up to 32 thresholds) and one that does not; a neuron count that leaves a
  // partial lane; steps in order, then again from a restart in the middle of a block of four.
  for (const double mean : {0.05, 2.0, 9.0, 60.0}) {
    const auto table = poisson_thresholds(mean);
    Kokkos::View<std::uint32_t*, mem> thresholds("thresholds", table.size());
    std::copy(table.begin(), table.end(), thresholds.data());
    poisson_input_params p;
    p.key = make_rng_key(7, rng_purpose::poisson_input, 3);
    p.first_gid = 1000003, p.column = 5, p.count = 1003, p.weight = -37, p.first_step = 2;
    poisson_source<exec, true> lanes(p, thresholds);
    poisson_source<exec, false> search(p, thresholds);
    const std::vector<step_type> steps{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 6, 7, 8, 13};
    for (const step_type step : steps) {
      ring_row_view<mem> a("a", 1010), b("b", 1010);
      lanes.add(exec(), a, step);
      search.add(exec(), b, step);
      std::int64_t total = 0;
      for (std::size_t i = 0; i < a.extent(0); ++i) {
        ASSERT_EQ(a(i), b(i)) << "mean " << mean << ", step " << step << ", column " << i;
        total += a(i);
      }
      if (step < p.first_step) {
        EXPECT_EQ(total, 0);
      } else if (mean >= 2) {
        EXPECT_NEAR(total / (-37.0 * 1003), mean, 0.25 * mean) << step;
      }
    }
  }
}

TEST(kernel_paths, team_delivery_equals_the_per_message_loop) {
  // Three sources of one population, one row each, laid out as a table row (two classes), a run row and a
  // single row; classes of constant and varying weights and delays, in two channels.
  synapse_class constant, varying;
  constant.weight = 25, constant.inhibitory_offset = 20, constant.delay = 2;
  varying.inhibitory_offset = 20, varying.has_weights = 1, varying.has_delays = 1, varying.projection = 1;
  std::vector<synapse_class> classes{constant, varying, varying, constant};
  classes[1].column = 10, classes[3].column = 5;
  auto syn = [](std::uint32_t cls, std::uint16_t target, std::int32_t w = 0, std::uint8_t d = 1) {
    explicit_synapse s;
    s.cls = cls, s.target_offset = target, s.weight = w, s.delay = d;
    return s;
  };
  const auto assembled =
      assemble_synapse_store(classes, {0, 0, 0, 0}, {0, 0, 0},
                             {{syn(0, 1), syn(0, 2), syn(0, 2), syn(1, 0, -5, 1), syn(1, 3, 7, 2)},
                              {syn(2, 4, 9, 3), syn(2, 4, -11, 1), syn(2, 7, 13, 2), syn(2, 9, 15, 3)},
                              {syn(3, 0)}});
  const auto& st = assembled.store;
  const auto& row = assembled.row_of_source;
  ASSERT_EQ(st.num_rows(), 3u);
  EXPECT_EQ(st.ranges(st.range_of(row[0])).layout, row_layout::table);
  EXPECT_EQ(st.ranges(st.range_of(row[1])).layout, row_layout::run);
  EXPECT_EQ(st.ranges(st.range_of(row[2])).layout, row_layout::single);
  Kokkos::View<spike_message*, mem> msgs("msgs", 5);
  const spike_message m[] = {{row[0], 0}, {row[1], 1}, {row[2], 2}, {row[0], 2}, {row[2], 0}};
  for (int i = 0; i < 5; ++i) msgs(i) = m[i];
  ring_buffer_view<mem> loop_ring("loop", 4, 40), team_ring("team", 4, 40);
  const auto e1 = deliver_spikes<exec, false>(exec(), st, msgs, 5, loop_ring, 7);
  const auto e2 = deliver_spikes<exec, true>(exec(), st, msgs, 5, team_ring, 7);
  EXPECT_EQ(e1, e2);
  EXPECT_EQ(e1, 5u + 4u + 1u + 5u + 1u);
  fixed_type total = 0;
  for (int slot = 0; slot < 4; ++slot)
    for (int c = 0; c < 40; ++c) {
      EXPECT_EQ(loop_ring(slot, c), team_ring(slot, c)) << slot << " " << c;
      total += loop_ring(slot, c);
    }
  EXPECT_NE(total, 0);

  // The threaded host path, run here part by part: any split of the targets gives the same ring and events.
  for (std::uint32_t parts = 1; parts <= 5; ++parts)
    for (bool bounded : {false, true}) {
      // Bounds as split_targets gives them: first columns of target runs (neuron columns lie in [0, 20)).
      Kokkos::View<std::uint32_t*, mem> bounds("bounds", bounded ? parts + 1 : 0);
      for (std::uint32_t i = 0; bounded && i <= parts; ++i) bounds(i) = i == parts ? 40 : 20 * i / parts;
      ring_buffer_view<mem> part_ring("parts", 4, 40);
      const auto e3 = deliver_spikes_by_target_range(exec(), st, msgs, 5, part_ring, 7, parts, bounds);
      EXPECT_EQ(e3, e1) << parts << " parts";
      for (int slot = 0; slot < 4; ++slot)
        for (int c = 0; c < 40; ++c)
          EXPECT_EQ(part_ring(slot, c), loop_ring(slot, c)) << parts << " parts, slot " << slot << " column " << c;
    }
}

}  // namespace
}  // namespace hetspike
