// The GPU-shaped kernel paths (atomic spike collection, a team per delivered spike) give exactly what the
// host paths give, run here on the host: the same spike list after sorting, the same ring buffer sums; and so
// does the threaded host path (each thread its own targets), whatever the split.
#include <gtest/gtest.h>

#include <vector>

#include "kernels/random.hpp"
#include "kernels/spike_collect.hpp"
#include "kernels/spike_delivery.hpp"

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

TEST(kernel_paths, team_delivery_equals_the_per_message_loop) {
  // 3 rows; segments of constant and varying weights and delays, in two channels.
  synapse_store<mem> st;
  auto fill = [](auto& view, const char* label, std::vector<typename std::decay_t<decltype(view)>::value_type> v) {
    view = std::decay_t<decltype(view)>(std::string(label), v.size());
    for (std::size_t i = 0; i < v.size(); ++i) view(i) = v[i];
  };
  fill(st.row_segment_begin, "rows", {0, 2, 3, 4});
  fill(st.segment_begin, "segments", {0, 3, 5, 9, 10});
  fill(st.segment_column, "columns", {0, 10, 0, 5});
  fill(st.segment_projection, "projection_of_segment", {0, 1, 1, 0});
  fill(st.segment_weight_begin, "weight_begin", {0, 0, 2, 0});
  fill(st.segment_delay_begin, "delay_begin", {0, 0, 2, 0});
  fill(st.target_offset, "targets", {1, 2, 2, 0, 3, 4, 4, 7, 9, 0});
  fill(st.weight, "weights", {-5, 7, 9, -11, 13, 15});
  fill(st.delay, "delays", {1, 2, 3, 1, 2, 3});
  projection_delivery constant{25, 20, 2, 0, 0}, varying{0, 20, 1, 1, 1};
  fill(st.projections, "projections", {constant, varying});
  Kokkos::View<spike_message*, mem> msgs("msgs", 5);
  const spike_message m[] = {{0, 0}, {1, 1}, {2, 2}, {0, 2}, {2, 0}};
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
