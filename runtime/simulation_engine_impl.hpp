#pragma once
// Member definitions of simulation_engine (included at the end of simulation_engine.hpp).
#include <cstring>
#include <limits>
#include <stdexcept>
#include <string>

#include "partition/emulated_routes.hpp"
#include "partition/network_summary.hpp"
#include "partition/parallel_chunks.hpp"
#include "runtime/collective_errors.hpp"
#include "runtime/memory_usage.hpp"
#include "runtime/placement.hpp"
#include "runtime/simulation_checkpoint_impl.hpp"

namespace hetspike {

namespace detail {

/// The view in MemorySpace: itself where it already is there, else a copy.
template <class T, class MemorySpace, class From>
Kokkos::View<T*, MemorySpace> to_space(const Kokkos::View<T*, From>& view) {
  return Kokkos::create_mirror_view_and_copy(MemorySpace(), view);
}

}  // namespace detail

template <class ExecSpace>
simulation_engine<ExecSpace>::simulation_engine(const distributed_context& ctx, const run_spec& spec,
                                                const simulation_options& options)
    : ctx_(ctx),
      spec_(spec),
      options_(options),
      rank_(options.emulation ? options.emulation->as_rank : ctx.rank()),
      partition_(agree_on_input_errors(ctx, [&] {
        if (options.emulation) return make_emulated_placement(spec, options.emulation->ranks);
        return make_placement(ctx, spec, options.backend.kind, options.rank_weights);
      })) {
  const auto start = std::chrono::steady_clock::now();
  rss_before_build_ = current_rss_bytes();
  build();
  peak_rss_after_build_ = peak_rss_bytes();
  timers_.build = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() - routing_seconds_ -
                  store_hash_seconds_;
}

template <class ExecSpace>
void simulation_engine<ExecSpace>::build() {
  const auto& net = spec_.network;
  build_options how;
  how.row_sources = !options_.emulation;  // an emulated rank announces its rows to nobody
  auto built = agree_on_input_errors(ctx_, [&] {
    layout_ = make_local_layout(net, partition_, rank_);
    // The weight recorders' synapses are found through the rows of their sources: the builder notes those.
    how.wanted_sources.resize(net.populations.size());
    for (const auto& r : spec_.weight_recorders) {
      auto& wanted = how.wanted_sources[net.projections[r.projection].source];
      const auto more = sampled_sources(net, partition_, layout_, r.projection, r.targets);
      wanted.insert(wanted.end(), more.begin(), more.end());
      std::sort(wanted.begin(), wanted.end());
      wanted.erase(std::unique(wanted.begin(), wanted.end()), wanted.end());
    }
    return build_connectivity(net, partition_, layout_, how);
  });
  const auto wanted_rows = std::move(built.rows_of);
  {
    // As built (plastic weights change as the run goes): what an emulated rank's store is compared by. Hashed here,
    // from the builder's host copy: on a device backend, hashing the store later copied all of it back to the host.
    scoped_timer timer(store_hash_seconds_);
    store_hash_ = built.store.content_hash_value();
  }
  num_synapses_ = built.num_synapses;
  quantization_ = built.quantization;
  d_min_ = ctx_.min(built.min_delay);
  d_max_ = ctx_.max(built.max_delay);
  // Alone, a rank cannot know the other ranks' shortest delay: it takes the shortest any synapse could have.
  if (options_.emulation) d_min_ = std::min<std::int64_t>(d_min_, lowest_possible_delay(net));
  if (d_max_ == 0) d_min_ = d_max_ = 1;  // no synapses anywhere: any interval works; one step is simplest
  d_min_ = std::min(d_min_, d_max_);
  presim_steps_ = std::llround(spec_.t_presim / net.dt);
  total_steps_ = presim_steps_ + std::llround(spec_.t_sim / net.dt);

  store_ = store_in_space<memory_space>(built.store);
  plastic_ = std::any_of(net.projections.begin(), net.projections.end(), [](const auto& p) { return p.plasticity; });
  exchange_ = make_exchange(built);
  built = built_connectivity{};  // the host copy is no longer needed where the store lives on a device

  ring_ =
      ring_buffer_view<memory_space>("hetspike::ring_buffer", static_cast<std::size_t>(d_max_), layout_.num_columns);
  if (const auto threads = static_cast<std::uint32_t>(space_.concurrency()); threads > 1) {
    const auto parts = split_targets(layout_, threads);
    Kokkos::View<std::uint32_t*, Kokkos::HostSpace> host("hetspike::delivery_parts", parts.size());
    std::copy(parts.begin(), parts.end(), host.data());
    delivery_parts_ = detail::to_space<std::uint32_t, memory_space>(host);
  }
  populations_ = make_local_neurons<ExecSpace>(net, layout_);
  spiked_ = Kokkos::View<std::uint8_t*, memory_space>("hetspike::spiked", layout_.num_local);
  // A recorder of the first neurons limits the population's statistics to them; an unrecorded population's
  // statistics are over all its neurons.
  recorded_.assign(layout_.num_local, 0);
  std::vector<std::uint8_t> counted(layout_.num_local, 1);
  for (const auto& r : spec_.recorders) {
    const auto& lp = layout_.populations[r.population];
    const gid_type end =
        partition_.population_offset(r.population) + r.first.value_or(partition_.population_size(r.population));
    for (std::uint64_t i = 0; i < lp.count; ++i) {
      recorded_[lp.first_lid + i] = lp.first_gid + i < end;
      counted[lp.first_lid + i] = recorded_[lp.first_lid + i];
    }
  }
  stats_ = std::make_unique<activity_statistics>(layout_, net.populations.size(), std::move(counted));
  if (plastic_) set_up_plasticity();
  set_up_weight_recorders(how.wanted_sources, wanted_rows);
  Kokkos::fence();
}

template <class ExecSpace>
std::unique_ptr<spike_exchange> simulation_engine<ExecSpace>::make_exchange(built_connectivity& built) {
  if (!options_.emulation)
    return std::make_unique<collective_spike_exchange>(ctx_, partition_, std::move(built.row_source),
                                                       built.population_first_row);
  const auto& e = *options_.emulation;
  const auto start = std::chrono::steady_clock::now();
  auto routes = e.replay_routes ? replayed_routes(spec_.network, partition_, rank_, layout_, built.own_row)
                                : drawn_routes(spec_.network, partition_, rank_, layout_, built.own_row);
  routing_seconds_ = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return std::make_unique<emulated_spike_exchange>(std::move(routes), e.ranks, rank_, spec_.network, e.rate_hz,
                                                   built.population_first_row, built.own_row);
}

template <class ExecSpace>
std::uint64_t simulation_engine<ExecSpace>::update_interval(step_type start, step_type steps) {
  // A device runs the interval's kernels in order without the host waiting between them: the only host sync is
  // the spike count at the end. Host kernels return when done, so timing the input apart costs nothing there; on a
  // device it would cost a fence per step, and the input's time shows in the update's.
  constexpr bool on_host = Kokkos::SpaceAccessibility<Kokkos::HostSpace, memory_space>::accessible;
  collector_.start_interval(space_, static_cast<std::uint64_t>(steps), layout_.num_local);
  for (step_type lag = 0; lag < steps; ++lag) {
    const step_type step = start + lag;
    const auto row = ring_row(ring_, step);
    {
      scoped_timer t(timers_.input);
      for (auto& pop : populations_) pop.apply_inputs(space_, row, step);
      if constexpr (on_host) space_.fence();
    }
    for (auto& pop : populations_) pop.update_neurons(space_, row, spiked_);
    if (states_) states_->after_step(space_, populations_, step + 1);
    collector_.collect(space_, Kokkos::View<const std::uint8_t*, memory_space>(spiked_),
                       static_cast<std::uint32_t>(lag));
  }
  return collector_.finish_interval(space_);
}

template <class ExecSpace>
void simulation_engine<ExecSpace>::deliver(std::span<const spike_message> messages, step_type start) {
  Kokkos::View<const spike_message*, memory_space> msgs;
  if constexpr (Kokkos::SpaceAccessibility<memory_space, Kokkos::HostSpace>::accessible) {
    msgs = Kokkos::View<const spike_message*, memory_space, Kokkos::MemoryUnmanaged>(messages.data(), messages.size());
  } else {
    if (messages_.extent(0) < messages.size())
      messages_ = decltype(messages_)("hetspike::messages", 2 * messages.size());
    Kokkos::deep_copy(space_, Kokkos::subview(messages_, Kokkos::make_pair(std::size_t{0}, messages.size())),
                      Kokkos::View<const spike_message*, Kokkos::HostSpace, Kokkos::MemoryUnmanaged>(messages.data(),
                                                                                                     messages.size()));
    msgs = messages_;
  }
  events_ += deliver_spikes(space_, store_, msgs, messages.size(), ring_, start, delivery_parts_, delivery_events_);
  space_.fence();
  if constexpr (std::is_same_v<memory_space, Kokkos::HostSpace>)
    if (plastic_)
      events_ += deliver_plastic(store_, messages, start, ring_, stdp_, *stdp_rows_, *post_history_, spec_.network.dt);
}

template <class ExecSpace>
void simulation_engine<ExecSpace>::observe(std::span<const local_spike> spikes, step_type start) {
  // The recorded window starts at presim; an interval may straddle it when presim is not a multiple of d_min.
  std::size_t first = 0;
  while (first < spikes.size() && start + spikes[first].lag < presim_steps_) ++first;
  const auto window = spikes.subspan(first);
  stats_->add(window, start);
  for (const auto& s : window)
    if (recorded_[s.lid]) pending_.push_back({global_id(layout_, s.lid), start + s.lag});
}

template <class ExecSpace>
void simulation_engine<ExecSpace>::set_up_plasticity() {
  const auto& net = spec_.network;
  if constexpr (!std::is_same_v<memory_space, Kokkos::HostSpace>) {
    throw input_error("plastic synapses (stdp_pl_synapse_hom) run on host backends only; this rank runs " +
                      std::string(ExecSpace::name()));
  } else {
    stdp_.resize(net.projections.size());
    std::vector<double> tau_plus_of_source(net.populations.size(), 0.0);
    for (std::size_t i = 0; i < net.projections.size(); ++i) {
      const auto& p = net.projections[i];
      if (!p.plasticity) continue;
      // A row (source neuron) keeps one K+ trace for all its plastic synapses: their tau_plus must agree.
      double& tau = tau_plus_of_source[p.source];
      if (tau != 0.0 && tau != p.plasticity->tau_plus)
        throw input_error("projections[" + std::to_string(i) +
                          "].synapse.tau_plus: " + std::to_string(p.plasticity->tau_plus) +
                          " ms differs from another plastic projection from " + net.populations[p.source].name + " (" +
                          std::to_string(tau) + " ms); allowed: one tau_plus per source population");
      tau = p.plasticity->tau_plus;
      const auto& target = layout_.populations[p.target];
      stdp_[i] = {p.plasticity->alpha,     p.plasticity->lambda, p.plasticity->mu, 1.0 / p.plasticity->tau_plus,
                  target.scale.exponent(), target.first_column,  target.first_lid};
    }
    stdp_rows_ = std::make_unique<stdp_pl_rows>(store_.num_plastic_slots);
    std::vector<double> tau_minus(layout_.num_local), tau_plus_inv(layout_.num_local, 0.0);
    for (const auto& lp : layout_.populations) {
      std::fill_n(tau_minus.begin() + lp.first_lid, lp.count, net.populations[lp.population].tau_minus);
      if (tau_plus_of_source[lp.population] > 0)
        std::fill_n(tau_plus_inv.begin() + lp.first_lid, lp.count, 1.0 / tau_plus_of_source[lp.population]);
    }
    post_history_ = std::make_unique<post_spike_history>(std::move(tau_minus), net.dt);
    source_traces_ = std::make_unique<stdp_pl_source_traces>(std::move(tau_plus_inv), net.dt);
    plastic_checkpoint_ = std::make_unique<plastic_checkpoint>(
        ctx_, net, partition_, layout_, store_, exchange_->routes(), *stdp_rows_, *source_traces_, *post_history_);
  }
}

template <class ExecSpace>
void simulation_engine<ExecSpace>::set_up_weight_recorders(const std::vector<std::vector<std::uint32_t>>& sources,
                                                           const std::vector<std::vector<std::uint32_t>>& rows) {
  const auto& net = spec_.network;
  for (const auto& r : spec_.weight_recorders) {
    const std::size_t sp = net.projections[r.projection].source;
    if constexpr (std::is_same_v<memory_space, Kokkos::HostSpace>)
      sampled_.push_back(
          find_sampled_synapses(net, partition_, layout_, store_, r.projection, r.targets, sources[sp], rows[sp]));
    else
      sampled_.emplace_back();  // unreachable: plasticity refused such backends in set_up_plasticity
    const auto& p = net.projections[r.projection];
    weight_recording w;
    w.name = net.populations[p.source].name + "->" + net.populations[p.target].name;
    w.source_ids = ctx_.allgather(std::span<const std::uint64_t>(sampled_.back().source_ids));
    w.target_ids = ctx_.allgather(std::span<const std::uint64_t>(sampled_.back().target_ids));
    sampled_total_.push_back(w.source_ids.size());
    if (ctx_.rank() != 0) w.source_ids.clear(), w.target_ids.clear();
    weight_records_.push_back(std::move(w));
    next_weight_sample_.push_back(0);
    last_sampled_.push_back(0);
    schedule_weight_sample(weight_records_.size() - 1, -1);
  }
}

template <class ExecSpace>
void simulation_engine<ExecSpace>::sample_weights(step_type end, bool last) {
  for (std::size_t i = 0; i < sampled_.size(); ++i) {
    if (!last && end < next_weight_sample_[i]) continue;
    if (last && last_sampled_[i] == end) continue;  // the end was sampled already
    schedule_weight_sample(i, end);
    std::vector<double> mine;
    for (auto pos : sampled_[i].positions) mine.push_back(store_.plastic_weight(pos));
    const auto all = ctx_.allgather(std::span<const double>(mine));
    if (ctx_.rank() != 0) continue;
    weight_records_[i].times.push_back(static_cast<double>(end) * spec_.network.dt);
    weight_records_[i].weights.insert(weight_records_[i].weights.end(), all.begin(), all.end());
  }
}

template <class ExecSpace>
void simulation_engine<ExecSpace>::schedule_weight_sample(std::size_t recorder, step_type sampled) {
  const auto every = std::max<step_type>(1, std::llround(spec_.weight_recorders[recorder].interval / spec_.network.dt));
  // Samples are due every `every` steps from the end of the presimulation, whenever an interval reaches them.
  next_weight_sample_[recorder] =
      sampled < presim_steps_ ? presim_steps_ : presim_steps_ + ((sampled - presim_steps_) / every + 1) * every;
  last_sampled_[recorder] = sampled;
}

template <class ExecSpace>
void simulation_engine<ExecSpace>::prune_post_history() {
  // Post spikes older than every row's last pre spike (less the longest delay) are read by nobody any more.
  // Rows whose K+ is still 0 never spiked: their potentiation adds nothing, whatever the history.
  step_type oldest = current_step_;
  for (std::size_t r = 0; r < stdp_rows_->k_plus.size(); ++r)
    if (stdp_rows_->k_plus[r] > 0) oldest = std::min(oldest, stdp_rows_->last_stamp[r]);
  post_history_->prune(oldest - d_max_);
}

template <class ExecSpace>
void simulation_engine<ExecSpace>::flush(spike_sink& sink) {
  sink.write(pending_);
  pending_.clear();
  if (states_) states_->flush();
}

template <class ExecSpace>
bool simulation_engine<ExecSpace>::poll_stop(std::uint64_t& intervals_since_poll, bool last) {
  if (!options_.stop_requested) return false;
  // About once per simulated millisecond: a signal is acted on quickly, and the allreduce costs little.
  const auto poll_every =
      static_cast<std::uint64_t>(std::max<step_type>(1, std::llround(1.0 / spec_.network.dt) / d_min_));
  if (++intervals_since_poll < poll_every && !last) return false;
  intervals_since_poll = 0;
  return ctx_.max(static_cast<std::int64_t>(options_.stop_requested() ? 1 : 0)) > 0;
}

template <class ExecSpace>
run_outcome simulation_engine<ExecSpace>::run(spike_sink& sink, checkpoint_store* store,
                                              const checkpoint_header& identity, state_sink* states) {
  const auto wall_start = std::chrono::steady_clock::now();
  const double dt = spec_.network.dt;
  run_start_step_ = current_step_;
  if (states != nullptr && !spec_.state_recorders.empty())
    states_ = std::make_unique<state_recorder<ExecSpace>>(state_reports(spec_), partition_, layout_, populations_,
                                                          current_step_, d_min_, *states);
  progress_line progress(static_cast<double>(total_steps_) * dt, options_.show_progress && ctx_.rank() == 0);
  auto host_spikes = Kokkos::create_mirror_view(collector_.spikes());
  // Flushes and checkpoints fall on the same steps whatever step the run (re)starts from.
  const auto flush_steps = std::max<step_type>(1, std::llround(options_.flush_every_ms / dt));
  step_type next_flush = presim_steps_ + flush_steps;
  while (next_flush <= current_step_) next_flush += flush_steps;
  const step_type every =
      options_.checkpoint_every_ms > 0 ? std::max<step_type>(1, std::llround(options_.checkpoint_every_ms / dt)) : 0;
  step_type next_checkpoint = every > 0 ? (current_step_ / every + 1) * every : std::numeric_limits<step_type>::max();
  std::uint64_t intervals_since_poll = 0;
  // Intervals end on multiples of d_min, as in a run from step 0, even after a resume from a run that ended
  // between them: weight samples, flushes and checkpoints then fall on the same steps as without the restart.
  step_type steps = 0;
  for (step_type start = current_step_; start < total_steps_; start += steps) {
    steps = std::min<step_type>(d_min_ - start % d_min_, total_steps_ - start);
    if (options_.fault && options_.fault->rank == ctx_.rank() && start >= options_.fault->step)
      throw std::runtime_error("injected fault at step " + std::to_string(start) + " (HETSPIKE_FAULT_INJECT)");
    std::uint64_t count = 0;
    {
      scoped_timer t(timers_.update);  // input is counted apart (timers_.input) and taken out below
      const double input_before = timers_.input;
      const auto update_start = std::chrono::steady_clock::now();
      count = update_interval(start, steps);
      timers_.update -= timers_.input - input_before;
      if (options_.slowdown && options_.slowdown->rank == ctx_.rank()) {  // the test hook: a slower node
        const auto spent = std::chrono::steady_clock::now() - update_start;
        const auto until =
            std::chrono::steady_clock::now() +
            std::chrono::duration_cast<std::chrono::steady_clock::duration>(spent * (options_.slowdown->factor - 1));
        while (std::chrono::steady_clock::now() < until) {
        }
      }
      const auto& spikes = collector_.spikes();
      if (host_spikes.extent(0) < spikes.extent(0)) host_spikes = Kokkos::create_mirror_view(spikes);
      Kokkos::deep_copy(Kokkos::subview(host_spikes, Kokkos::make_pair(std::uint64_t{0}, count)),
                        Kokkos::subview(spikes, Kokkos::make_pair(std::uint64_t{0}, count)));
    }
    spikes_emitted_ += count;
    sort_interval_spikes(std::span<local_spike>(host_spikes.data(), count));
    const std::span<const local_spike> spikes(host_spikes.data(), count);
    if (plastic_) {
      post_history_->record(spikes, start);
      source_traces_->record(spikes, start);
      if ((start / d_min_) % 1000 == 0) prune_post_history();
    }
    std::span<const spike_message> received;
    {
      scoped_timer t(timers_.communicate);
      received = exchange_->exchange(spikes, start, steps);
    }
    {
      scoped_timer t(timers_.deliver);
      deliver(received, start);
    }
    const step_type end = start + steps;
    {
      scoped_timer t(timers_.output);
      if (end > presim_steps_) observe(spikes, start);
      if (end >= next_flush) {  // the same interval on every rank: interval starts are global
        flush(sink);
        while (next_flush <= end) next_flush += flush_steps;
      }
      if (states_) states_->make_room();  // the next interval's samples must fit
    }
    current_step_ = end;
    // Samples fall on interval ends of the d_min grid (and on the run's last step, after the loop), so that a run
    // that ends between them and is resumed samples where an uninterrupted run does.
    if (!sampled_.empty() && end >= presim_steps_ && end % d_min_ == 0) sample_weights(end, false);
    const bool stop = poll_stop(intervals_since_poll, end >= total_steps_);
    if (store && (end >= next_checkpoint || stop)) {
      write_checkpoint(end, sink, *store, identity);
      while (next_checkpoint <= end) next_checkpoint += every;
    }
    progress.update(static_cast<double>(end) * dt);
    if (stop) {
      stopped_ = true;
      break;
    }
  }
  {
    scoped_timer t(timers_.output);
    if (!sampled_.empty()) sample_weights(current_step_, true);
    flush(sink);
    sink.close();
    if (states_) states_->close();
    states_.reset();
  }
  simulate_seconds_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
  progress.finish(static_cast<double>(current_step_) * dt);
  return stopped_ ? run_outcome::stopped : run_outcome::completed;
}

namespace detail {

/// One rank's figures as they travel in an allgather: plain data only.
struct rank_figures {
  std::uint64_t neurons, synapses, spikes_emitted, messages_sent, bytes_sent, rss_before, peak_rss, peak_after_build;
  std::uint64_t rows, routes, synapse_bytes, row_bytes, route_bytes, plastic_bytes, intervals, messages_received;
  std::uint64_t store_hash, routes_hash;
  double timers[7];
  double weight;
  char backend[128];
  int build_threads;
};

}  // namespace detail

template <class ExecSpace>
run_summary simulation_engine<ExecSpace>::summarize() const {
  const auto& net = spec_.network;
  run_summary s;
  s.ranks = ctx_.size();
  s.seed = net.seed;
  s.dt = net.dt;
  s.t_sim = spec_.t_sim;
  s.t_presim = spec_.t_presim;
  s.d_min = d_min_;
  s.d_max = d_max_;
  s.neurons = partition_.num_neurons();
  s.synapses = static_cast<std::uint64_t>(ctx_.sum(static_cast<std::int64_t>(num_synapses_)));
  for (std::size_t p = 0; p < net.populations.size(); ++p)
    s.populations.push_back(
        {net.populations[p].name, std::string(model_name(net.populations[p].params)), net.populations[p].size});
  for (auto& p : s.populations) p.counted = p.size;
  for (const auto& r : spec_.recorders) {
    auto& p = s.populations[r.population];
    p.recorded = p.counted = r.first.value_or(p.size);
  }
  // Rates over the recorded window the run reached: shorter than t_sim when it stopped at a checkpoint.
  const double window_ms = static_cast<double>(std::max<step_type>(0, current_step_ - presim_steps_)) * net.dt;
  stats_->summarize(ctx_, window_ms, s);

  detail::rank_figures mine{layout_.num_local,
                            num_synapses_,
                            spikes_emitted_,
                            exchange_->messages_sent(),
                            exchange_->bytes_sent(),
                            rss_before_build_,
                            peak_rss_bytes(),
                            peak_rss_after_build_,
                            store_.num_rows(),
                            exchange_->routes().num_routes(),
                            store_.synapse_bytes(),
                            store_.row_bytes(),
                            exchange_->routes().bytes(),
                            stdp_rows_ ? stdp_rows_->k_plus.size() * (sizeof(double) + sizeof(step_type)) : 0,
                            exchange_->intervals(),
                            exchange_->messages_received(),
                            store_hash_,
                            exchange_->routes().content_hash_value(),
                            {timers_.build, timers_.update, timers_.deliver, timers_.communicate, timers_.output,
                             timers_.checkpoint, timers_.input},
                            options_.rank_weights.empty() ? 1.0 : options_.rank_weights[rank_],
                            {},
                            default_build_threads()};
  const auto& b = options_.backend;
  const std::string backend = std::string(backend_name(b.kind)) + " (" +
                              (b.device.empty() ? std::string("Kokkos::") + ExecSpace::name() : b.device) +
                              (b.why.empty() ? "" : "; " + b.why) + ")";
  std::strncpy(mine.backend, backend.c_str(), sizeof mine.backend - 1);
  double growth = 0;
  for (const auto& f : ctx_.allgather(mine)) {
    rank_summary r;
    r.rank = options_.emulation ? rank_ : static_cast<int>(s.per_rank.size());
    r.backend = f.backend;
    r.build_threads = f.build_threads;
    r.neurons = f.neurons;
    r.synapses = f.synapses;
    r.spikes_emitted = f.spikes_emitted;
    r.messages_sent = f.messages_sent;
    r.bytes_sent = f.bytes_sent;
    r.rss_before_build = f.rss_before;
    r.peak_rss = f.peak_rss;
    r.peak_rss_after_build = f.peak_after_build;
    r.timers = {f.timers[0], f.timers[6], f.timers[1], f.timers[2], f.timers[3], f.timers[4], f.timers[5]};
    r.rows = f.rows, r.routes = f.routes, r.intervals = f.intervals, r.messages_received = f.messages_received;
    r.synapse_bytes = f.synapse_bytes, r.row_bytes = f.row_bytes, r.route_bytes = f.route_bytes;
    r.plastic_bytes = f.plastic_bytes, r.store_hash = f.store_hash, r.routes_hash = f.routes_hash;
    r.weight = f.weight;
    r.busy_seconds = f.timers[1] + f.timers[2] + f.timers[6];  // update, deliver and input
    growth += static_cast<double>(f.peak_after_build - std::min(f.peak_after_build, f.rss_before));
    s.build_seconds = std::max(s.build_seconds, f.timers[0]);
    s.per_rank.push_back(std::move(r));
  }
  s.simulate_seconds = ctx_.max(simulate_seconds_);
  // The real-time factor of what this process simulated (a resumed run starts at the checkpoint).
  const double simulated_seconds = static_cast<double>(current_step_ - run_start_step_) * net.dt * 1e-3;
  s.real_time_factor = simulated_seconds > 0 ? s.simulate_seconds / simulated_seconds : 0;
  s.synaptic_events = static_cast<std::uint64_t>(ctx_.sum(static_cast<std::int64_t>(events_)));
  s.synaptic_events_per_second =
      s.simulate_seconds > 0 ? static_cast<double>(s.synaptic_events) / s.simulate_seconds : 0;
  s.bytes_per_synapse = s.synapses > 0 ? growth / static_cast<double>(s.synapses) : 0;
  std::vector<double> q{static_cast<double>(quantization_.count), static_cast<double>(quantization_.saturated),
                        quantization_.sum_abs_error, quantization_.sum_abs_weight};
  ctx_.reduce_in_place(q, reduce_op::sum);
  s.weight_quantization = {static_cast<std::uint64_t>(q[0]), static_cast<std::uint64_t>(q[1]),
                           q[3] > 0 ? q[2] / q[3] : 0.0, ctx_.max(quantization_.max_abs_error)};
  const auto resolutions = worst_weight_resolutions(net);
  for (std::size_t p = 0; p < net.populations.size(); ++p)
    if (const auto& r = resolutions[p]; r.relative_error > s.weight_resolution.max_relative_error)
      s.weight_resolution = {r.relative_error, r.weight, net.populations[p].name, r.where};
  double busy_max = 0, busy_sum = 0;
  for (const auto& r : s.per_rank) busy_max = std::max(busy_max, r.busy_seconds), busy_sum += r.busy_seconds;
  s.busy_imbalance = busy_sum > 0 ? busy_max / (busy_sum / static_cast<double>(s.per_rank.size())) : 1.0;
  s.resumed_from_step = resumed_from_;
  s.end_step = current_step_;
  s.stopped = stopped_;
  s.checkpoints = checkpoints_;
  if (options_.emulation) {
    const auto& e = *options_.emulation;
    emulation_summary em;
    em.ranks = e.ranks;
    em.as_rank = e.as_rank;
    em.routes = e.replay_routes ? "replayed" : "drawn";
    em.routing_seconds = routing_seconds_;
    for (std::size_t p = 0; p < net.populations.size(); ++p)
      em.rates_hz.emplace_back(net.populations[p].name, e.rate_hz[p]);
    em.remote_messages = static_cast<const emulated_spike_exchange&>(*exchange_).remote_messages();
    s.emulation = em;
  }
  return s;
}

}  // namespace hetspike
