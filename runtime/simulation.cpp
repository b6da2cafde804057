#include "runtime/simulation.hpp"

#include "runtime/simulation_engine.hpp"

namespace hetspike {

namespace {

std::unique_ptr<simulation::engine> make_engine(const distributed_context& ctx, const run_spec& spec,
                                                const simulation_options& options) {
  if (options.backend.kind == backend_kind::gpu)
    return std::make_unique<simulation_engine<Kokkos::DefaultExecutionSpace>>(ctx, spec, options);
  return std::make_unique<simulation_engine<Kokkos::DefaultHostExecutionSpace>>(ctx, spec, options);
}

}  // namespace

simulation::simulation(const distributed_context& ctx, const run_spec& spec, simulation_options options)
    : engine_(make_engine(ctx, spec, options)) {}

simulation::~simulation() = default;

void simulation::restore(checkpoint_source& source) { engine_->restore(source); }
run_outcome simulation::run(spike_sink& sink, checkpoint_store* store, const checkpoint_header& identity,
                            state_sink* states) {
  return engine_->run(sink, store, identity, states);
}
run_summary simulation::summarize() const { return engine_->summarize(); }
std::int64_t simulation::min_delay_steps() const { return engine_->d_min(); }
std::int64_t simulation::max_delay_steps() const { return engine_->d_max(); }
std::int64_t simulation::current_step() const { return engine_->current_step(); }
const std::vector<weight_recording>& simulation::weight_recordings() const { return engine_->weight_recordings(); }

}  // namespace hetspike
