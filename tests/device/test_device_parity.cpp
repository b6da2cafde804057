// CPU-vs-GPU parity: every GPU-shaped kernel variant (atomic spike collection, a team per delivered spike, a
// Poisson count per thread) and the neuron updates run on the device space in their device shape, and on the
// host space in their host shape (prefix sum, one work item per message or a target range per thread, lanes of
// Poisson counts), on the same inputs; spikes and ring buffers must be identical. In a CUDA build the device is
// the GPU; in a host-only build it is the host space running the GPU-shaped code, so CI checks the shapes too.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <vector>

#include "kernels/neuron_population.hpp"
#include "kernels/poisson_input.hpp"
#include "kernels/random.hpp"
#include "kernels/spike_collect.hpp"
#include "kernels/spike_delivery.hpp"
#include "kernels/synapse_store_assembly.hpp"

namespace hetspike {
namespace {

using host_exec = Kokkos::DefaultHostExecutionSpace;
using device_exec = Kokkos::DefaultExecutionSpace;

/// The host-accessible copy of a view (the view itself where it already is).
template <class View>
auto on_host(const View& v) {
  return Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), v);
}

/// A host view's copy in Exec's memory space.
template <class Exec, class View>
auto in_space(const View& v) {
  return Kokkos::create_mirror_view_and_copy(typename Exec::memory_space(), v);
}

/// Collects the flagged neurons of `lags` steps; the device shape's list is put in order as the engine does.
template <class Exec, bool Gpu>
std::vector<local_spike> collect_all(const Kokkos::View<std::uint8_t*, Kokkos::HostSpace>& flags, std::uint32_t lags) {
  const auto spiked = in_space<Exec>(flags);
  spike_collector<Exec, Gpu> collector;
  collector.start_interval(Exec(), lags, flags.extent(0));
  for (std::uint32_t lag = 0; lag < lags; ++lag)
    collector.collect(Exec(), Kokkos::View<const std::uint8_t*, typename Exec::memory_space>(spiked), lag);
  const std::uint64_t n = collector.finish_interval(Exec());
  const auto host = on_host(collector.spikes());
  std::vector<local_spike> spikes(host.data(), host.data() + n);
  sort_interval_spikes(spikes);
  return spikes;
}

TEST(device_parity, atomic_collection_equals_the_prefix_sum) {
  // Silent stretches of 64 neurons between busy ones (the host skips eight silent flags at a time) and a count
  // that is no multiple of eight, whose last neuron fires.
  constexpr int n = 1003;
  Kokkos::View<std::uint8_t*, Kokkos::HostSpace> flags("flags", n);
  random_stream s(make_rng_key(1, rng_purpose::connectivity, 0), 0);
  for (int i = 0; i < n; ++i) flags(i) = (i / 64) % 3 == 0 && s.below(5) == 0;
  flags(n - 1) = 1;
  const auto device = collect_all<device_exec, true>(flags, 3);
  const auto host = collect_all<host_exec, false>(flags, 3);
  ASSERT_EQ(device.size(), host.size());
  std::size_t flagged = 0;
  for (int i = 0; i < n; ++i) flagged += flags(i);
  ASSERT_EQ(host.size(), 3 * flagged);
  ASSERT_GT(flagged, 50u);
  EXPECT_EQ(host.back().lid, static_cast<std::uint32_t>(n - 1));
  for (std::size_t i = 0; i < host.size(); ++i) {
    ASSERT_EQ(device[i].lid, host[i].lid) << i;
    ASSERT_EQ(device[i].lag, host[i].lag) << i;
  }
}

/// The input of `steps` from one Poisson source, one ring row per step.
template <class Exec, bool Lanes>
std::vector<std::vector<fixed_type>> poisson_rows(const poisson_input_params& p,
                                                  const std::vector<std::uint32_t>& table,
                                                  const std::vector<step_type>& steps, std::size_t columns) {
  Kokkos::View<std::uint32_t*, Kokkos::HostSpace> thresholds("thresholds", table.size());
  std::copy(table.begin(), table.end(), thresholds.data());
  poisson_source<Exec, Lanes> source(p, in_space<Exec>(thresholds));
  std::vector<std::vector<fixed_type>> rows;
  for (const step_type step : steps) {
    ring_row_view<typename Exec::memory_space> row("row", columns);
    source.add(Exec(), row, step);
    const auto host = on_host(row);
    rows.emplace_back(host.data(), host.data() + columns);
  }
  return rows;
}

TEST(device_parity, poisson_count_per_thread_equals_the_host_lanes) {
  // Means whose tables take the lanes (up to 32 thresholds) and one that does not; a neuron count that leaves a
  // partial lane; steps in order, then again from a restart in the middle of a block of four.
  for (const double mean : {0.05, 2.0, 9.0, 60.0}) {
    const auto table = poisson_thresholds(mean);
    poisson_input_params p;
    p.key = make_rng_key(7, rng_purpose::poisson_input, 3);
    p.first_gid = 1000003, p.column = 5, p.count = 1003, p.weight = -37, p.first_step = 2;
    const std::vector<step_type> steps{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 6, 7, 8, 13};
    const auto device = poisson_rows<device_exec, false>(p, table, steps, 1010);
    const auto host = poisson_rows<host_exec, true>(p, table, steps, 1010);
    for (std::size_t k = 0; k < steps.size(); ++k) {
      std::int64_t total = 0;
      for (std::size_t i = 0; i < 1010; ++i) {
        ASSERT_EQ(device[k][i], host[k][i]) << "mean " << mean << ", step " << steps[k] << ", column " << i;
        total += host[k][i];
      }
      if (steps[k] < p.first_step) {
        EXPECT_EQ(total, 0);
      } else if (mean >= 2) {
        EXPECT_NEAR(total / (-37.0 * 1003), mean, 0.25 * mean) << steps[k];
      }
    }
  }
}

/// Three sources of one population, one row each, laid out as a table row (two classes), a run row and a single
/// row; classes of constant and varying weights and delays, in two channels.
assembled_store three_row_store() {
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
  return assemble_synapse_store(classes, {0, 0, 0, 0}, {0, 0, 0},
                                {{syn(0, 1), syn(0, 2), syn(0, 2), syn(1, 0, -5, 1), syn(1, 3, 7, 2)},
                                 {syn(2, 4, 9, 3), syn(2, 4, -11, 1), syn(2, 7, 13, 2), syn(2, 9, 15, 3)},
                                 {syn(3, 0)}});
}

/// Delivers `msgs` into a fresh ring of 4 x 40 in the given shape; returns the ring and the synaptic events.
template <class Exec, bool Teams>
std::pair<ring_buffer_view<Kokkos::HostSpace>, std::uint64_t> delivered(
    const synapse_store<Kokkos::HostSpace>& store, const Kokkos::View<spike_message*, Kokkos::HostSpace>& msgs) {
  using mem = typename Exec::memory_space;
  ring_buffer_view<mem> ring("ring", 4, 40);
  const auto events = deliver_spikes<Exec, Teams>(Exec(), store_in_space<mem>(store),
                                                  Kokkos::View<const spike_message*, mem>(in_space<Exec>(msgs)),
                                                  msgs.extent(0), ring, 7);
  return {on_host(ring), events};
}

TEST(device_parity, team_delivery_equals_the_host_paths) {
  const auto assembled = three_row_store();
  const auto& st = assembled.store;
  const auto& row = assembled.row_of_source;
  ASSERT_EQ(st.num_rows(), 3u);
  EXPECT_EQ(st.ranges(st.range_of(row[0])).layout, row_layout::table);
  EXPECT_EQ(st.ranges(st.range_of(row[1])).layout, row_layout::run);
  EXPECT_EQ(st.ranges(st.range_of(row[2])).layout, row_layout::single);
  Kokkos::View<spike_message*, Kokkos::HostSpace> msgs("msgs", 5);
  const spike_message m[] = {{row[0], 0}, {row[1], 1}, {row[2], 2}, {row[0], 2}, {row[2], 0}};
  for (int i = 0; i < 5; ++i) msgs(i) = m[i];
  const auto [team_ring, team_events] = delivered<device_exec, true>(st, msgs);
  const auto [loop_ring, loop_events] = delivered<host_exec, false>(st, msgs);
  EXPECT_EQ(team_events, loop_events);
  EXPECT_EQ(loop_events, 5u + 4u + 1u + 5u + 1u);
  fixed_type total = 0;
  for (int slot = 0; slot < 4; ++slot)
    for (int c = 0; c < 40; ++c) {
      EXPECT_EQ(team_ring(slot, c), loop_ring(slot, c)) << slot << " " << c;
      total += loop_ring(slot, c);
    }
  EXPECT_NE(total, 0);

  // The threaded host path, run here part by part: any split of the targets gives the same ring and events.
  for (std::uint32_t parts = 1; parts <= 5; ++parts)
    for (bool bounded : {false, true}) {
      // Bounds as split_targets gives them: first columns of target runs (neuron columns lie in [0, 20)).
      Kokkos::View<std::uint32_t*, Kokkos::HostSpace> bounds("bounds", bounded ? parts + 1 : 0);
      for (std::uint32_t i = 0; bounded && i <= parts; ++i) bounds(i) = i == parts ? 40 : 20 * i / parts;
      ring_buffer_view<Kokkos::HostSpace> part_ring("parts", 4, 40);
      const auto e3 =
          deliver_spikes_by_target_range(Kokkos::DefaultHostExecutionSpace(), st, msgs, 5, part_ring, 7, parts, bounds);
      EXPECT_EQ(e3, loop_events) << parts << " parts";
      for (int slot = 0; slot < 4; ++slot)
        for (int c = 0; c < 40; ++c)
          EXPECT_EQ(part_ring(slot, c), loop_ring(slot, c)) << parts << " parts, slot " << slot << " column " << c;
    }
}

/// What a run of one population leaves: its spikes in (step, local id) order, every state variable of every neuron
/// (integers as doubles, exactly), the ring.
struct population_run {
  std::vector<std::pair<step_type, std::uint32_t>> spikes;
  std::vector<double> v;
  std::vector<fixed_type> ring;
};

template <class Exec>
void record(const neuron_population<Exec>& pop, const ring_buffer_view<typename Exec::memory_space>& ring,
            population_run& out) {
  std::visit(
      [&](const auto& m) {
        m.for_each_variable([&](const auto&, const auto& view) {
          const auto v = on_host(view);
          for (std::size_t i = 0; i < v.extent(0); ++i) out.v.push_back(static_cast<double>(v(i)));
        });
      },
      pop.model());
  const auto r = on_host(ring);
  out.ring.assign(r.data(), r.data() + r.size());
}

/// `steps` updates of n neurons of a model, with the same pseudo-random input written into each step's row
/// (both channels, both signs) before the update.
template <class Exec>
population_run run_population(const neuron_params& params, std::uint32_t n, step_type steps, double gain = 1.0) {
  using mem = typename Exec::memory_space;
  const auto scale = fixed_point_scale::for_max_weight(400.0);
  neuron_population<Exec> pop(params, 0.1, n, 0, 0, 0, scale);
  const auto columns = static_cast<std::size_t>(pop.num_channels()) * n;
  ring_buffer_view<mem> ring("ring", 2, columns);
  Kokkos::View<std::uint8_t*, mem> spiked("spiked", n);
  Kokkos::View<fixed_type*, Kokkos::HostSpace> input("input", columns);
  population_run out;
  for (step_type step = 0; step < steps; ++step) {
    random_stream s(make_rng_key(3, rng_purpose::poisson_input, 9), static_cast<std::uint64_t>(step));
    for (std::size_t c = 0; c < columns; ++c)
      input(c) = scale.to_fixed(
          gain * (c < n ? 0.3 * static_cast<double>(s.below(100)) : -0.2 * static_cast<double>(s.below(60))));
    const auto row = ring_row(ring, step);
    Kokkos::deep_copy(row, in_space<Exec>(input));
    pop.update_neurons(Exec(), row, spiked);
    const auto flags = on_host(spiked);
    for (std::uint32_t i = 0; i < n; ++i)
      if (flags(i)) out.spikes.emplace_back(step, i);
  }
  record(pop, ring, out);
  return out;
}

TEST(device_parity, neuron_updates_equal_on_device_and_host) {
  iaf_psc_delta_params delta;
  delta.C_m = 1.0, delta.tau_m = 20.0, delta.E_L = 0.0, delta.V_reset = 10.0, delta.V_th = 20.0, delta.V_min = -5.0;
  iaf_psc_exp_params exp;
  exp.I_e = 300.0;
  iaf_psc_alpha_params alpha;
  alpha.tau_syn_ex = 0.5, alpha.tau_syn_in = 0.5, alpha.I_e = 420.0;
  izhikevich_params izh;
  izh.I_e = 10.0;
  loihi_lif_params chip;  // raw registers: u keeps 2047/4096 per step, v 3/4; the ring's input scale is 2^-e
  chip.du = 2048, chip.dv = 1024, chip.vth = 100;
  for (const neuron_params& params :
       {neuron_params(delta), neuron_params(exp), neuron_params(alpha), neuron_params(izh), neuron_params(chip)}) {
    const auto device = run_population<device_exec>(params, 777, 300);
    const auto host = run_population<host_exec>(params, 777, 300);
    EXPECT_GT(host.spikes.size(), 777u) << model_name(params);
    EXPECT_EQ(device.spikes, host.spikes) << model_name(params);
    EXPECT_EQ(device.v, host.v) << model_name(params);  // bitwise: no contracted FMA on either side
    EXPECT_EQ(device.ring, host.ring) << model_name(params);
  }
}

/// Each neuron's spike steps.
std::vector<std::vector<step_type>> per_neuron(const population_run& run, std::uint32_t n) {
  std::vector<std::vector<step_type>> out(n);
  for (const auto& [step, id] : run.spikes) out[id].push_back(step);
  return out;
}

// Every registered model, generated ones included, with its own defaults and a random input in both receptors: the
// contract of docs/neuron-models.md. A model without transcendental functions updates bit for bit alike on device
// and host; one with them (exp, pow: libm and the device's differ in the last bits, which an adaptive integrator
// can amplify) within the stated tolerance: each neuron's spikes on the same steps give or take one (0.1 ms), and
// its membrane potential within 0.5 mV where no spike lies within 2 ms of the end. In a host-only build both sides
// are the host's and equal exactly.
TEST(device_parity, every_registered_model_keeps_the_contract) {
  constexpr std::uint32_t n = 64;
  constexpr step_type steps = 300;
  for_each_model([&](auto model) {
    using M = decltype(model);
    const neuron_params params{typename M::params{}};
    // The weakest of these input gains that makes the neurons spike, where one does (units differ: mV, pA, nS;
    // stronger drive only slows the adaptive integrators, or blocks Hodgkin-Huxley's spikes).
    double gain = 1.0;
    while (gain < 16.0 && run_population<host_exec>(params, n, steps, gain).spikes.empty()) gain *= 4.0;
    const auto device = run_population<device_exec>(params, n, steps, gain);
    const auto host = run_population<host_exec>(params, n, steps, gain);
    ASSERT_EQ(device.v.size(), host.v.size()) << M::name;
    if constexpr (!M::transcendental) {
      EXPECT_EQ(device.spikes, host.spikes) << M::name;
      EXPECT_EQ(device.v, host.v) << M::name;
      EXPECT_EQ(device.ring, host.ring) << M::name;
    } else {
      std::size_t potential = M::state_variables.size();
      for (std::size_t j = 0; j < M::state_variables.size(); ++j)
        if (const auto name = M::state_variables[j].name; name == "V_m" || name == "V_rel" || name == "v")
          potential = j;
      ASSERT_LT(potential, M::state_variables.size()) << M::name;
      const auto d = per_neuron(device, n), h = per_neuron(host, n);
      for (std::uint32_t i = 0; i < n; ++i) {
        ASSERT_EQ(d[i].size(), h[i].size()) << M::name << " neuron " << i;
        for (std::size_t k = 0; k < h[i].size(); ++k)
          EXPECT_LE(std::abs(d[i][k] - h[i][k]), 1) << M::name << " neuron " << i << " spike " << k;
        if (h[i].empty() || h[i].back() < steps - 20) {  // record() lays out variable by variable, neuron by neuron
          EXPECT_NEAR(device.v[potential * n + i], host.v[potential * n + i], 0.5) << M::name << " neuron " << i;
        }
      }
    }
  });
}

/// A random network of n iaf_psc_exp neurons: 80% excitatory sources with a constant weight and delay, 20%
/// inhibitory ones with weights and delays per synapse; k targets per source.
assembled_store random_network(std::uint32_t n, std::uint32_t k, const fixed_point_scale& scale) {
  synapse_class ex, in;
  ex.weight = scale.to_fixed32(87.8), ex.delay = 15, ex.inhibitory_offset = n;
  in.has_weights = 1, in.has_delays = 1, in.inhibitory_offset = n, in.projection = 1;
  std::vector<std::uint32_t> source_population(n);
  std::vector<std::vector<explicit_synapse>> synapses(n);
  const auto key = make_rng_key(11, rng_purpose::connectivity, 0);
  for (std::uint32_t src = 0; src < n; ++src) {
    source_population[src] = src < n * 4 / 5 ? 0 : 1;
    random_stream s(key, src);
    std::vector<std::uint16_t> targets(k);
    for (auto& t : targets) t = static_cast<std::uint16_t>(s.below(n));
    std::sort(targets.begin(), targets.end());
    for (const auto t : targets) {
      explicit_synapse syn;
      syn.cls = source_population[src], syn.target_offset = t;
      syn.weight = scale.to_fixed32(-351.2 * (0.5 + 0.01 * static_cast<double>(s.below(100))));
      syn.delay = static_cast<std::uint8_t>(15 + s.below(11));
      synapses[src].push_back(syn);
    }
  }
  return assemble_synapse_store({ex, in}, {0, 1}, source_population, synapses);
}

/// The simulation loop of DESIGN.md on one rank, in Exec's shape: per interval of d_min steps Poisson input,
/// neuron updates and spike collection, then the interval's spikes delivered through the store. `Gpu` picks
/// the GPU-shaped variants.
template <class Exec, bool Gpu>
population_run run_network(const assembled_store& net, std::uint32_t n, const fixed_point_scale& scale) {
  using mem = typename Exec::memory_space;
  constexpr step_type d_min = 15, d_max = 25, intervals = 20;
  iaf_psc_exp_params params;
  neuron_population<Exec> pop(params, 0.1, n, 0, 0, 0, scale);
  poisson_input_params p;
  p.key = make_rng_key(11, rng_purpose::poisson_input, 0), p.count = n, p.weight = scale.to_fixed(87.8);
  const auto table = poisson_thresholds(2600.0 * 1e-4);
  Kokkos::View<std::uint32_t*, Kokkos::HostSpace> thresholds("thresholds", table.size());
  std::copy(table.begin(), table.end(), thresholds.data());
  poisson_source<Exec, !Gpu> poisson(p, in_space<Exec>(thresholds));
  const auto store = store_in_space<mem>(net.store);
  ring_buffer_view<mem> ring("ring", d_max, 2 * n);
  Kokkos::View<std::uint8_t*, mem> spiked("spiked", n);
  Kokkos::View<spike_message*, Kokkos::HostSpace> msgs("msgs", n * d_min);
  spike_collector<Exec, Gpu> collector;
  population_run out;
  for (step_type start = 0; start < intervals * d_min; start += d_min) {
    collector.start_interval(Exec(), d_min, n);
    for (step_type lag = 0; lag < d_min; ++lag) {
      const auto row = ring_row(ring, start + lag);
      poisson.add(Exec(), row, start + lag);
      pop.update_neurons(Exec(), row, spiked);
      collector.collect(Exec(), Kokkos::View<const std::uint8_t*, mem>(spiked), static_cast<std::uint32_t>(lag));
    }
    const std::uint64_t count = collector.finish_interval(Exec());
    const auto host = on_host(collector.spikes());
    sort_interval_spikes(std::span<local_spike>(host.data(), count));
    for (std::uint64_t i = 0; i < count; ++i) {
      out.spikes.emplace_back(start + host(i).lag, host(i).lid);
      msgs(i) = spike_message{net.row_of_source[host(i).lid], host(i).lag};
    }
    deliver_spikes<Exec, Gpu>(Exec(), store, Kokkos::View<const spike_message*, mem>(in_space<Exec>(msgs)), count, ring,
                              start);
  }
  record(pop, ring, out);
  return out;
}

TEST(device_parity, network_intervals_give_the_same_spikes_and_ring) {
  constexpr std::uint32_t n = 1000;
  const auto scale = fixed_point_scale::for_max_weight(351.2 * 1.5);
  const auto net = random_network(n, 100, scale);
  const auto device = run_network<device_exec, true>(net, n, scale);
  const auto host = run_network<host_exec, false>(net, n, scale);
  EXPECT_GT(host.spikes.size(), n);
  EXPECT_EQ(device.spikes, host.spikes);
  EXPECT_EQ(device.v, host.v);
  EXPECT_EQ(device.ring, host.ring);
}

}  // namespace
}  // namespace hetspike
