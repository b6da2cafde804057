// Loads a model file and simulates it on one local rank through the installed hetspike libraries.
#include <Kokkos_Core.hpp>

#include <cstdio>

#include "io/model_file.hpp"
#include "runtime/simulation.hpp"

namespace {
class counting_sink final : public hetspike::spike_sink {
 public:
  void write(std::span<const hetspike::recorded_spike> spikes) override { count += spikes.size(); }
  void close() override {}
  std::size_t count = 0;
};
}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return 2;
  Kokkos::ScopeGuard kokkos(argc, argv);
  hetspike::model_overrides o;
  o.set = {"order=50"};
  o.t_sim = 100.0;
  const auto model = hetspike::load_model_file(argv[1], o);
  hetspike::simulation_options options;
  options.show_progress = false;
  hetspike::simulation sim(hetspike::make_local_context(), model.spec, options);
  counting_sink sink;
  sim.run(sink);
  const auto summary = sim.summarize();
  std::printf("neurons %llu spikes %llu recorded %zu\n", static_cast<unsigned long long>(summary.neurons),
              static_cast<unsigned long long>(summary.spikes), sink.count);
  return summary.spikes > 0 && summary.spikes == sink.count ? 0 : 1;
}
