#pragma once
// Checkpoint and restore of simulation_engine (included by simulation_engine_impl.hpp). The state of every
// population is stored per neuron in gid order (its model's state variables, activity statistics) and the pending
// ring-buffer input as its d_max slots. Connectivity is not stored: it is regenerated from the seed.
#include <chrono>
#include <string>

#include "partition/error.hpp"

namespace hetspike {

namespace detail {

/// Adds a device view of a population's state: saved through a host copy, restored by copying back.
template <class View>
void add_view_field(checkpoint_snapshot& snap, const std::string& name, const local_population& lp,
                    gid_type population_first, std::uint64_t population_size, const View& view, bool for_restore) {
  using T = typename View::non_const_value_type;
  auto host = Kokkos::create_mirror_view(Kokkos::HostSpace(), view);  // the view itself where host-accessible
  if (!for_restore) Kokkos::deep_copy(host, view);
  auto holder = std::make_shared<decltype(host)>(host);
  snap.fields.push_back(population_field<T>(name, lp, population_first, population_size, holder->data()));
  snap.buffers.push_back(holder);
  if (for_restore) snap.commit.push_back([view, holder] { Kokkos::deep_copy(view, *holder); });
}

}  // namespace detail

template <class ExecSpace>
checkpoint_snapshot simulation_engine<ExecSpace>::snapshot(bool for_restore) {
  checkpoint_snapshot snap;
  const auto& net = spec_.network;
  auto ring_host = std::make_shared<decltype(Kokkos::create_mirror_view(Kokkos::HostSpace(), ring_))>(
      Kokkos::create_mirror_view(Kokkos::HostSpace(), ring_));
  if (!for_restore) Kokkos::deep_copy(*ring_host, ring_);
  snap.buffers.push_back(ring_host);
  const auto d_max = static_cast<std::uint64_t>(d_max_);
  for (std::size_t p = 0; p < populations_.size(); ++p) {
    const auto& lp = layout_.populations[p];
    const std::string prefix = "populations/" + net.populations[p].name + "/";
    const gid_type first = partition_.population_offset(p);
    const std::uint64_t size = partition_.population_size(p);
    // The model's state variables, by the names its description gives them.
    std::visit(
        [&](const auto& m) {
          m.for_each_variable([&](const auto& variable, const auto& view) {
            detail::add_view_field(snap, prefix + std::string(variable.name), lp, first, size, view, for_restore);
          });
        },
        populations_[p].model());
    // Pending input, channel by channel, straight from the ring (no copy): row k is ring slot k, which holds
    // the input for the step s >= `step` with s mod d_max = k; d_max is the network's, so any rank count maps
    // slots to steps alike.
    for (int c = 0; c < lp.channels; ++c) {
      auto field = population_field(prefix + "input/" + std::to_string(c), lp, first, size,
                                    ring_host->data() + lp.first_column + c * lp.count, d_max);
      field.row_stride = ring_host->extent(1);
      snap.fields.push_back(field);
    }
    // Activity statistics live on the host already: the fields point into them.
    auto& st = *stats_;
    const auto at = lp.first_lid;
    snap.fields.push_back(population_field(prefix + "activity/spikes", lp, first, size, st.spikes.data() + at));
    snap.fields.push_back(population_field(prefix + "activity/intervals", lp, first, size, st.intervals.data() + at));
    snap.fields.push_back(population_field(prefix + "activity/last_spike", lp, first, size, st.last_spike.data() + at));
    snap.fields.push_back(population_field(prefix + "activity/isi_sum", lp, first, size, st.isi_sum.data() + at));
    snap.fields.push_back(population_field(prefix + "activity/isi_sum_sq", lp, first, size, st.isi_sum_sq.data() + at));
  }
  if (for_restore) snap.commit.push_back([this, ring_host] { Kokkos::deep_copy(ring_, *ring_host); });
  if (plastic_ && !for_restore) plastic_checkpoint_->add_to(snap);
  return snap;
}

template <class ExecSpace>
void simulation_engine<ExecSpace>::add_weight_samples(checkpoint_snapshot& snap,
                                                      const std::vector<std::uint64_t>& samples, bool for_restore) {
  // Rank 0 holds every sample so far: times (1 x samples) and weights (samples x synapses).
  const bool root = ctx_.rank() == 0;
  for (std::size_t i = 0; i < weight_records_.size(); ++i) {
    auto& w = weight_records_[i];
    const std::uint64_t k = samples[i], n = sampled_total_[i];
    if (for_restore && root) {
      w.times.resize(k);
      w.weights.resize(k * n);
    }
    const std::string prefix = "weight_recorders/" + std::to_string(i) + "/";
    snap.fields.push_back({prefix + "times", field_type::f64, 1, k, 0, root ? k : 0, w.times.data()});
    snap.fields.push_back({prefix + "weights", field_type::f64, k, n, 0, root ? n : 0, w.weights.data()});
  }
}

template <class ExecSpace>
void simulation_engine<ExecSpace>::write_checkpoint(step_type step, spike_sink& sink, checkpoint_store& store,
                                                    const checkpoint_header& identity) {
  scoped_timer t(timers_.checkpoint);
  flush(sink);  // the spike file must hold every recorded spike before `step` when the checkpoint names it
  sink.sync();
  if (states_) states_->sync();  // and the state files every sample up to `step`, which a resume keeps
  checkpoint_header h = identity;
  const auto& net = spec_.network;
  h.step = step;
  h.dt = net.dt;
  h.d_min = d_min_;
  h.d_max = d_max_;
  h.ranks = ctx_.size();
  h.seed = net.seed;
  h.t_presim = spec_.t_presim;
  h.recorded_spikes = sink.positions();
  std::tie(h.spikes, h.spike_hash) = stats_->global_totals(ctx_);
  h.synaptic_events = static_cast<std::uint64_t>(ctx_.sum(static_cast<std::int64_t>(events_)));
  h.spikes_emitted = static_cast<std::uint64_t>(ctx_.sum(static_cast<std::int64_t>(spikes_emitted_)));
  h.weight_synapses = sampled_total_;
  for (std::size_t i = 0; i < weight_records_.size(); ++i)
    h.weight_samples.push_back(
        static_cast<std::uint64_t>(ctx_.max(static_cast<std::int64_t>(weight_records_[i].times.size()))));
  auto snap = snapshot(false);
  add_weight_samples(snap, h.weight_samples, false);
  checkpoints_.push_back(store.write(h, snap.fields));
}

template <class ExecSpace>
void simulation_engine<ExecSpace>::restore(checkpoint_source& source) {
  scoped_timer t(timers_.checkpoint);
  const auto& h = source.header();
  const auto& net = spec_.network;
  const std::string where = source.name() + ": ";
  auto refuse = [&](const std::string& what) {
    throw checkpoint_mismatch(where + what + "; it cannot continue this run");
  };
  if (h.dt != net.dt) refuse("dt is " + std::to_string(h.dt) + " ms, this run's is " + std::to_string(net.dt));
  if (h.seed != net.seed) refuse("seed is " + std::to_string(h.seed) + ", this run's is " + std::to_string(net.seed));
  if (h.d_min != d_min_ || h.d_max != d_max_)
    refuse("delays span " + std::to_string(h.d_min) + ".." + std::to_string(h.d_max) + " steps, this network's " +
           std::to_string(d_min_) + ".." + std::to_string(d_max_));
  if (h.t_presim != spec_.t_presim)
    refuse("t_presim is " + std::to_string(h.t_presim) + " ms, this run's is " + std::to_string(spec_.t_presim));
  // Any step works: every spike before it is delivered, and intervals of at most d_min steps from there on
  // give the same input as the uninterrupted run's, whose interval boundaries may differ.
  if (h.step > total_steps_)
    refuse("it is at " + std::to_string(static_cast<double>(h.step) * net.dt) + " ms, beyond this run's end at " +
           std::to_string(static_cast<double>(total_steps_) * net.dt) + " ms");
  if (h.weight_samples.size() != weight_records_.size() || h.weight_synapses.size() != weight_records_.size())
    refuse("it holds samples of " + std::to_string(h.weight_samples.size()) + " weight recorders, this run has " +
           std::to_string(weight_records_.size()) + " (weight recorders must be those of the run that wrote it)");
  for (std::size_t i = 0; i < weight_records_.size(); ++i)
    if (h.weight_synapses[i] != sampled_total_[i])
      refuse("weight recorder " + weight_records_[i].name + " sampled " + std::to_string(h.weight_synapses[i]) +
             " synapses, in this run it samples " + std::to_string(sampled_total_[i]) +
             " (weight recorders must be those of the run that wrote it)");
  auto snap = snapshot(true);
  add_weight_samples(snap, h.weight_samples, true);
  source.read(snap.fields);
  if (plastic_) plastic_checkpoint_->read(source, snap);
  // Every read has succeeded: only now does the state change (a failed read leaves it for an older checkpoint).
  for (const auto& commit : snap.commit) commit();
  Kokkos::fence();
  for (std::size_t i = 0; i < weight_records_.size(); ++i) {
    const auto& times = weight_records_[i].times;  // on rank 0; the others learn the last sample's step from it
    const std::int64_t last = ctx_.rank() == 0 && !times.empty() ? std::llround(times.back() / net.dt) : -1;
    schedule_weight_sample(i, ctx_.max(last));
  }
  stats_->set_totals(ctx_, h.spikes, h.spike_hash);
  events_ = ctx_.rank() == 0 ? h.synaptic_events : 0;  // a run total: held once, summed over ranks later
  current_step_ = h.step;
  resumed_from_ = h.step;
}

}  // namespace hetspike
