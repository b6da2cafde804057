// hetspike_kernel_bench: the hot kernels alone, on whatever Kokkos backend this was built with (no MPI, no
// HDF5), so that a GPU node with only CUDA and Kokkos can measure them. A synthetic network of n neurons
// (iaf_psc_delta, Poisson drive) with k random targets per neuron runs the loop of DESIGN.md on one rank:
// update, collect spikes, deliver through the synapse store. Prints neuron updates per second, synaptic
// events per second and an order-independent spike hash (equal hashes on two backends mean equal spikes).
// Where Kokkos has a device (a GPU) besides the host, it runs on both and checks that the spikes are equal.
//
//   hetspike_kernel_bench [--neurons N] [--outdegree K] [--steps S] [--delay D] [--repeat R]
#include <Kokkos_Core.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "kernels/neuron_population.hpp"
#include "kernels/spike_collect.hpp"
#include "kernels/spike_delivery.hpp"
#include "kernels/synapse_store_assembly.hpp"

namespace {

using namespace hetspike;

struct options {
  std::uint32_t neurons = 12500;
  std::uint32_t outdegree = 1250;
  std::int64_t steps = 2000;
  std::uint16_t delay = 15;
  int repeat = 3;
};

options parse(int argc, char** argv) {
  options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string key = argv[i];
    const long long v = std::atoll(argv[i + 1]);
    if (key == "--neurons")
      o.neurons = static_cast<std::uint32_t>(v);
    else if (key == "--outdegree")
      o.outdegree = static_cast<std::uint32_t>(v);
    else if (key == "--steps")
      o.steps = v;
    else if (key == "--delay")
      o.delay = static_cast<std::uint16_t>(v);
    else if (key == "--repeat")
      o.repeat = static_cast<int>(v);
  }
  return o;
}

/// Every neuron a row with `outdegree` random targets (sorted); 80% of sources excitatory (+0.1 mV), 20%
/// inhibitory (-0.5 mV) as in Brunel's network: two source populations, each with one class per 2^16-target block.
template <class MemorySpace>
struct bench_store {
  synapse_store<MemorySpace> store;
  std::vector<std::uint32_t> row_of_source;
};

template <class MemorySpace>
bench_store<MemorySpace> make_store(const options& o, const fixed_point_scale& scale) {
  const std::uint32_t blocks = (o.neurons + segment_block_size - 1) / segment_block_size;
  const std::uint32_t excitatory = o.neurons * 4 / 5;
  std::vector<synapse_class> classes;
  std::vector<std::uint32_t> class_population;
  for (std::uint32_t pop = 0; pop < 2; ++pop)
    for (std::uint32_t b = 0; b < blocks; ++b) {
      synapse_class c;
      c.projection = pop;
      c.column = b * segment_block_size;
      c.weight = scale.to_fixed32(pop == 0 ? 0.1 : -0.5);
      c.delay = o.delay;
      classes.push_back(c);
      class_population.push_back(pop);
    }
  std::vector<std::uint32_t> source_population(o.neurons);
  std::vector<std::vector<explicit_synapse>> synapses(o.neurons);
  const auto key = make_rng_key(1, rng_purpose::connectivity, 0);
  std::vector<std::uint32_t> targets(o.outdegree);
  for (std::uint32_t src = 0; src < o.neurons; ++src) {
    random_stream s(key, src);
    for (auto& t : targets) t = static_cast<std::uint32_t>(s.below(o.neurons));
    std::sort(targets.begin(), targets.end());
    source_population[src] = src < excitatory ? 0 : 1;
    for (auto t : targets) {
      explicit_synapse syn;
      syn.cls = source_population[src] * blocks + t / segment_block_size;
      syn.target_offset = static_cast<std::uint16_t>(t % segment_block_size);
      synapses[src].push_back(syn);
    }
  }
  auto assembled = assemble_synapse_store(classes, class_population, source_population, synapses);
  return {store_in_space<MemorySpace>(assembled.store), std::move(assembled.row_of_source)};
}

struct result {
  double update_seconds = 0, deliver_seconds = 0;
  std::uint64_t spikes = 0, events = 0, hash = 0;
};

std::uint64_t mix(std::uint64_t x) {
  x ^= x >> 30, x *= 0xbf58476d1ce4e5b9ull, x ^= x >> 27, x *= 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

/// The benchmark's neuron, as DESIGN.md's loop is measured: a delta-synapse LIF with threshold 20 mV above rest.
neuron_params benchmark_neuron() {
  iaf_psc_delta_params p;
  p.C_m = 1.0, p.tau_m = 20.0, p.E_L = 0.0, p.V_reset = 0.0, p.V_th = 20.0;
  return p;
}

template <class Exec>
result run_once(const options& o, const bench_store<typename Exec::memory_space>& bs, const fixed_point_scale& scale) {
  const auto& store = bs.store;
  using exec = Exec;
  using mem = typename Exec::memory_space;
  exec space;
  neuron_population<exec> pop(benchmark_neuron(), 0.1, o.neurons, 0, 0, 0, scale);
  pop.add_poisson_input(1, {0, 20000.0, 0.1, 0}, 0.1);
  ring_buffer_view<mem> ring("ring", o.delay, o.neurons);
  Kokkos::View<std::uint8_t*, mem> spiked("spiked", o.neurons);
  Kokkos::View<spike_message*, mem> msgs("messages", static_cast<std::size_t>(o.neurons) * o.delay);
  auto host_msgs = Kokkos::create_mirror_view(msgs);
  spike_collector<exec> collector;
  Kokkos::View<std::uint64_t, mem> events("events");
  result r;
  using clock = std::chrono::steady_clock;
  for (std::int64_t start = 0; start < o.steps; start += o.delay) {
    const auto t0 = clock::now();
    collector.start_interval(space, o.delay, o.neurons);
    for (std::int64_t lag = 0; lag < o.delay; ++lag) {
      pop.update(space, ring_row(ring, start + lag), start + lag, spiked);
      collector.collect(space, Kokkos::View<const std::uint8_t*, mem>(spiked), static_cast<std::uint32_t>(lag));
    }
    const std::uint64_t n = collector.finish_interval(space);
    const auto t1 = clock::now();
    const auto host_spikes = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), collector.spikes());
    sort_interval_spikes(std::span<local_spike>(host_spikes.data(), n));
    for (std::uint64_t i = 0; i < n; ++i) {  // one rank: the row of a neuron is the one its source got
      host_msgs(i) = spike_message{bs.row_of_source[host_spikes(i).lid], host_spikes(i).lag};
      r.hash +=
          mix(host_spikes(i).lid * 0x9e3779b97f4a7c15ull ^ static_cast<std::uint64_t>(start + host_spikes(i).lag));
    }
    Kokkos::deep_copy(msgs, host_msgs);
    const auto t2 = clock::now();
    r.events += deliver_spikes(space, store, Kokkos::View<const spike_message*, mem>(msgs), n, ring, start, {}, events);
    space.fence();
    const auto t3 = clock::now();
    r.update_seconds += std::chrono::duration<double>(t1 - t0).count();
    r.deliver_seconds += std::chrono::duration<double>(t3 - t2).count();
    r.spikes += n;
  }
  return r;
}

/// The first kernels one by one on a space, for comparing backends step by step when spikes differ:
/// Philox words, Poisson counts and one neuron's membrane potential.
template <class Exec>
void self_test() {
  using mem = typename Exec::memory_space;
  const auto key = make_rng_key(1, rng_purpose::poisson_input, 0);
  Kokkos::View<std::uint32_t*, mem> words("words", 4);
  Kokkos::parallel_for(
      "philox", Kokkos::RangePolicy<Exec>(0, 1), KOKKOS_LAMBDA(int) {
        const rng_block b = philox_block(key, 5, 7);
        for (int k = 0; k < 4; ++k) words(k) = b.v[k];
      });
  Kokkos::fence();
#ifdef KOKKOS_ENABLE_CUDA
  std::printf("%-8s CUDA status after the first kernel: %s\n", Exec::name(), cudaGetErrorString(cudaGetLastError()));
#endif
  auto w = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), words);
  std::printf("%-8s philox(5, 7) = %08x %08x %08x %08x\n", Exec::name(), w(0), w(1), w(2), w(3));
  neuron_population<Exec> pop(benchmark_neuron(), 0.1, 4, 0, 0, 0, fixed_point_scale::for_max_weight(0.5));
  pop.add_poisson_input(1, {0, 20000.0, 0.1, 0}, 0.1);
  ring_buffer_view<mem> ring("ring", 2, 4);
  Kokkos::View<std::uint8_t*, mem> spiked("spiked", 4);
  for (step_type s = 0; s < 50; ++s) {
    const auto row = ring_row(ring, s);
    pop.update(Exec(), row, s, spiked);
  }
  Kokkos::fence();
  std::visit(
      [&](const auto& m) {
        m.for_each_variable([&](const auto& variable, const auto& view) {
          if (variable.name != "V_rel") return;
          const auto v = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), view);
          std::printf("%-8s V after 50 steps = %.17g %.17g %.17g %.17g\n", Exec::name(), static_cast<double>(v(0)),
                      static_cast<double>(v(1)), static_cast<double>(v(2)), static_cast<double>(v(3)));
        });
      },
      pop.model());
}

/// Runs the benchmark on one execution space; returns the spike hash of its first run.
template <class Exec>
std::uint64_t bench(const options& o) {
  const auto scale = fixed_point_scale::for_max_weight(0.5);
  const auto store = make_store<typename Exec::memory_space>(o, scale);
  std::vector<result> runs;
  for (int i = 0; i < std::max(1, o.repeat); ++i) runs.push_back(run_once<Exec>(o, store, scale));
  auto median = [&](auto f) {
    std::vector<double> v;
    for (const auto& r : runs) v.push_back(f(r));
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
  };
  const double updates = double(o.neurons) * double(o.steps);
  std::printf("backend                    %s\n", Exec::name());
  std::printf("neurons                    %u (outdegree %u, delay %u steps, %lld steps)\n", o.neurons, o.outdegree,
              o.delay, static_cast<long long>(o.steps));
  std::printf("mean rate                  %.2f Hz\n", double(runs[0].spikes) / o.neurons / (o.steps * 1e-4));
  std::printf("neuron_updates_per_second  %.4g (median of %zu)\n",
              median([&](const result& r) { return updates / r.update_seconds; }), runs.size());
  std::printf("synaptic_events_per_second %.4g (median of %zu)\n",
              median([](const result& r) { return r.events / r.deliver_seconds; }), runs.size());
  std::printf("spike_hash                 %016llx (%llu spikes)\n", static_cast<unsigned long long>(runs[0].hash),
              static_cast<unsigned long long>(runs[0].spikes));
  for (const auto& r : runs)
    if (r.hash != runs[0].hash) {
      std::printf("error: repeated runs on %s gave different spikes\n", Exec::name());
      std::exit(1);
    }
  return runs[0].hash;
}

}  // namespace

int main(int argc, char** argv) {
  Kokkos::ScopeGuard guard(argc, argv);
  const options o = parse(argc, argv);
  using host = Kokkos::DefaultHostExecutionSpace;
  using device = Kokkos::DefaultExecutionSpace;
  if (argc > 1 && std::string(argv[1]) == "--self-test") {
    self_test<host>();
    if constexpr (!std::is_same_v<host, device>) self_test<device>();
    return 0;
  }
  const std::uint64_t host_hash = bench<host>(o);
  if constexpr (!std::is_same_v<host, device>) {
    const std::uint64_t device_hash = bench<device>(o);
    std::printf("%s and %s spikes %s\n", host::name(), device::name(),
                host_hash == device_hash ? "are identical" : "DIFFER");
    if (host_hash != device_hash) return 1;
  }
  return 0;
}
