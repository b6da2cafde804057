#include "runtime/plastic_checkpoint.hpp"

#include <algorithm>
#include <limits>
#include <numeric>
#include <string>

#include "partition/synapse_locator.hpp"

namespace hetspike {

namespace {

/// A buffer of n elements that lives as long as the snapshot.
template <class T>
std::shared_ptr<std::vector<T>> held(checkpoint_snapshot& snap, std::size_t n) {
  auto v = std::make_shared<std::vector<T>>(n);
  snap.buffers.push_back(v);
  return v;
}

/// A 1-D field of which this rank holds `data`: the ranks' parts end to end in rank order, which is gid order
/// (each rank owns one run of every population, and runs ascend with the rank). Collective.
template <class T>
checkpoint_field slice_field(const distributed_context& ctx, std::string name, std::vector<T>& data) {
  const auto n = static_cast<std::int64_t>(data.size());
  return {std::move(name),
          field_type_of<T>(),
          1,
          static_cast<std::uint64_t>(ctx.sum(n)),
          static_cast<std::uint64_t>(ctx.exclusive_scan_sum(n)),
          data.size(),
          data.data()};
}

std::string weight_name(std::size_t projection) {
  return "projections/" + std::to_string(projection) + "/plastic_weight";
}

}  // namespace

plastic_checkpoint::plastic_checkpoint(const distributed_context& ctx, const network_spec& net,
                                       const block_partition& partition, const local_layout& layout,
                                       synapse_store<Kokkos::HostSpace>& store, const routing_table& routes,
                                       stdp_pl_rows& rows, stdp_pl_source_traces& sources, post_spike_history& post)
    : ctx_(ctx),
      net_(net),
      partition_(partition),
      layout_(layout),
      store_(store),
      routes_(routes),
      rows_(rows),
      sources_(sources),
      post_(post) {}

std::vector<std::size_t> plastic_checkpoint::populations(bool sources) const {
  std::vector<std::size_t> out;
  for (const auto& p : net_.projections)
    if (p.plasticity) out.push_back(sources ? p.source : p.target);
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::string plastic_checkpoint::prefix(std::size_t population) const {
  return "populations/" + net_.populations[population].name + "/stdp/";
}

template <class T>
std::shared_ptr<std::vector<T>> plastic_checkpoint::neuron_field(checkpoint_snapshot& snap,
                                                                 std::vector<checkpoint_field>& fields,
                                                                 std::size_t population,
                                                                 const std::string& name) const {
  const auto& lp = layout_.populations[population];
  auto buffer = held<T>(snap, lp.count);
  fields.push_back(population_field(prefix(population) + name, lp, partition_.population_offset(population),
                                    partition_.population_size(population), buffer->data()));
  return buffer;
}

void plastic_checkpoint::add_to(checkpoint_snapshot& snap) const {
  for (std::size_t i = 0; i < net_.projections.size(); ++i) {
    if (!net_.projections[i].plasticity) continue;
    const synapse_locator locator(net_, partition_, layout_, store_, i);
    auto weights = held<double>(snap, locator.size());
    std::size_t k = 0;
    locator.for_each([&](std::uint64_t, std::uint64_t, std::uint64_t position) {
      (*weights)[k++] = store_.plastic_weight(position);
    });
    snap.fields.push_back(slice_field(ctx_, weight_name(i), *weights));
  }
  for (std::size_t sp : populations(true)) {
    // The owner's traces of its own neurons (every row of a neuron holds the same).
    const auto& lp = layout_.populations[sp];
    auto k_plus = neuron_field<double>(snap, snap.fields, sp, "k_plus");
    auto last = neuron_field<step_type>(snap, snap.fields, sp, "last_pre_stamp");
    std::copy_n(sources_.k_plus().begin() + lp.first_lid, lp.count, k_plus->begin());
    std::copy_n(sources_.last_stamp().begin() + lp.first_lid, lp.count, last->begin());
  }
  for (std::size_t tp : populations(false)) {
    const auto& lp = layout_.populations[tp];
    auto k_minus = neuron_field<double>(snap, snap.fields, tp, "k_minus");
    auto last = neuron_field<step_type>(snap, snap.fields, tp, "last_post_stamp");
    auto length = neuron_field<std::uint64_t>(snap, snap.fields, tp, "history_length");
    auto stamps = held<step_type>(snap, 0);
    auto traces = held<double>(snap, 0);
    for (std::uint64_t i = 0; i < lp.count; ++i) {
      const lid_type lid = lp.first_lid + static_cast<lid_type>(i);
      (*k_minus)[i] = post_.k_minus()[lid];
      (*last)[i] = post_.last_stamp()[lid];
      (*length)[i] = post_.entries()[lid].size();
      for (const auto& e : post_.entries()[lid]) {
        stamps->push_back(e.stamp);
        traces->push_back(e.k_minus);
      }
    }
    snap.fields.push_back(slice_field(ctx_, prefix(tp) + "history_stamp", *stamps));
    snap.fields.push_back(slice_field(ctx_, prefix(tp) + "history_k_minus", *traces));
  }
}

void plastic_checkpoint::read(checkpoint_source& source, checkpoint_snapshot& snap) const {
  // First read: everything of known size, the histories' lengths among it.
  std::vector<checkpoint_field> fields;
  for (std::size_t i = 0; i < net_.projections.size(); ++i) {
    if (!net_.projections[i].plasticity) continue;
    auto locator = std::make_shared<const synapse_locator>(net_, partition_, layout_, store_, i);
    auto weights = held<double>(snap, locator->size());
    fields.push_back(slice_field(ctx_, weight_name(i), *weights));
    snap.commit.push_back([&store = store_, locator, weights] {
      std::size_t k = 0;
      locator->for_each([&](std::uint64_t, std::uint64_t, std::uint64_t position) {
        store.plastic_weight(position) = (*weights)[k++];
      });
    });
  }
  const auto sources = populations(true), targets = populations(false);
  std::vector<std::shared_ptr<std::vector<double>>> own_k_plus, k_minus;
  std::vector<std::shared_ptr<std::vector<step_type>>> own_last_pre, last_post;
  std::vector<std::shared_ptr<std::vector<std::uint64_t>>> lengths;
  for (std::size_t sp : sources) {
    own_k_plus.push_back(neuron_field<double>(snap, fields, sp, "k_plus"));
    own_last_pre.push_back(neuron_field<step_type>(snap, fields, sp, "last_pre_stamp"));
  }
  for (std::size_t tp : targets) {
    k_minus.push_back(neuron_field<double>(snap, fields, tp, "k_minus"));
    last_post.push_back(neuron_field<step_type>(snap, fields, tp, "last_post_stamp"));
    lengths.push_back(neuron_field<std::uint64_t>(snap, fields, tp, "history_length"));
  }
  source.read(fields);

  // Each owner hands its neurons' K+ to their rows, and keeps them itself.
  for (std::size_t j = 0; j < sources.size(); ++j) {
    snap.commit.push_back(scatter_to_rows(sources[j], *own_k_plus[j], *own_last_pre[j]));
    snap.commit.push_back([this, &lp = layout_.populations[sources[j]], k = own_k_plus[j], last = own_last_pre[j]] {
      std::copy(k->begin(), k->end(), sources_.k_plus().begin() + lp.first_lid);
      std::copy(last->begin(), last->end(), sources_.last_stamp().begin() + lp.first_lid);
    });
  }

  // Second read: the histories, now that their lengths are known.
  fields.clear();
  std::vector<std::shared_ptr<std::vector<step_type>>> stamps;
  std::vector<std::shared_ptr<std::vector<double>>> traces;
  for (std::size_t j = 0; j < targets.size(); ++j) {
    std::uint64_t total = 0;
    for (auto n : *lengths[j]) total += n;
    stamps.push_back(held<step_type>(snap, total));
    traces.push_back(held<double>(snap, total));
    fields.push_back(slice_field(ctx_, prefix(targets[j]) + "history_stamp", *stamps.back()));
    fields.push_back(slice_field(ctx_, prefix(targets[j]) + "history_k_minus", *traces.back()));
  }
  source.read(fields);
  for (std::size_t j = 0; j < targets.size(); ++j)
    snap.commit.push_back([this, &lp = layout_.populations[targets[j]], k = k_minus[j], last = last_post[j],
                           length = lengths[j], stamp = stamps[j], trace = traces[j]] {
      std::size_t at = 0;
      for (std::uint64_t i = 0; i < lp.count; ++i) {
        const lid_type lid = lp.first_lid + static_cast<lid_type>(i);
        post_.k_minus()[lid] = (*k)[i];
        post_.last_stamp()[lid] = (*last)[i];
        auto& history = post_.entries()[lid];
        history.clear();
        for (std::uint64_t n = 0; n < (*length)[i]; ++n, ++at) history.push_back({(*stamp)[at], (*trace)[at]});
      }
    });
}

std::function<void()> plastic_checkpoint::scatter_to_rows(std::size_t population, const std::vector<double>& k_plus,
                                                          const std::vector<step_type>& last) const {
  struct row_trace {
    std::uint32_t row, pad;
    double k_plus;
    step_type last;
  };
  const auto& lp = layout_.populations[population];
  std::vector<int> counts(ctx_.size(), 0);
  for (std::uint64_t i = 0; i < lp.count; ++i)
    routes_.for_each_route(lp.first_lid + static_cast<lid_type>(i),
                           [&](std::uint32_t rank, std::uint32_t) { ++counts[rank]; });
  std::vector<row_trace> send(static_cast<std::size_t>(std::accumulate(counts.begin(), counts.end(), 0)));
  auto next = distributed_context::displacements(counts);
  for (std::uint64_t i = 0; i < lp.count; ++i)
    routes_.for_each_route(lp.first_lid + static_cast<lid_type>(i), [&](std::uint32_t rank, std::uint32_t row) {
      send[next[rank]++] = {row, 0, k_plus[i], last[i]};
    });
  std::vector<int> from;
  auto received =
      std::make_shared<std::vector<row_trace>>(ctx_.alltoallv(std::span<const row_trace>(send), counts, from));
  return [this, received] {
    for (const auto& r : *received) {
      bool plastic = false;  // rows without plastic synapses never update K+: it stays 0, as in an unbroken run
      store_.for_each_segment(r.row, [&](std::uint32_t cls, std::uint64_t, std::uint64_t) {
        plastic = plastic || store_.classes(cls).plastic;
      });
      if (!plastic) continue;
      const std::uint64_t slot = store_.plastic_slot(r.row);
      rows_.k_plus[slot] = r.k_plus;
      rows_.last_stamp[slot] = r.last;
    }
  };
}

}  // namespace hetspike
