#include "runtime/plastic_checkpoint.hpp"

#include <algorithm>
#include <limits>
#include <string>

#include "partition/synapse_locator.hpp"

namespace hetspike {

namespace {

constexpr std::uint64_t all_targets = std::numeric_limits<std::uint64_t>::max();

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
                                       synapse_store<Kokkos::HostSpace>& store, const std::vector<gid_type>& row_source,
                                       stdp_pl_rows& rows, post_spike_history& post)
    : ctx_(ctx),
      net_(net),
      partition_(partition),
      layout_(layout),
      store_(store),
      row_source_(row_source),
      rows_(rows),
      post_(post),
      row_plastic_(store.num_rows(), 0) {
  for (std::uint64_t r = 0; r < store.num_rows(); ++r)
    for (auto s = store.row_segment_begin(r); s < store.row_segment_begin(r + 1); ++s)
      if (store.projections(store.segment_projection(s)).plastic) row_plastic_[r] = 1;
}

std::vector<std::size_t> plastic_checkpoint::populations(bool sources) const {
  std::vector<std::size_t> out;
  for (const auto& p : net_.projections)
    if (p.plasticity) out.push_back(sources ? p.source : p.target);
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::pair<std::size_t, std::size_t> plastic_checkpoint::rows_of(std::size_t population) const {
  const gid_type first = partition_.population_offset(population);
  const auto begin = std::lower_bound(row_source_.begin(), row_source_.end(), first);
  const auto end = std::lower_bound(begin, row_source_.end(), first + partition_.population_size(population));
  return {static_cast<std::size_t>(begin - row_source_.begin()), static_cast<std::size_t>(end - row_source_.begin())};
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
    const synapse_locator locator(net_, partition_, layout_, store_, row_source_, i);
    auto weights = held<double>(snap, locator.size());
    std::size_t k = 0;
    locator.for_each(all_targets, [&](std::uint64_t, std::uint64_t, std::uint64_t position) {
      (*weights)[k++] = store_.plastic_weight(position);
    });
    snap.fields.push_back(slice_field(ctx_, weight_name(i), *weights));
  }
  for (std::size_t sp : populations(true)) {
    // Whole-population arrays, merged over ranks (a rank without a row for a source holds 0, the others agree),
    // of which the owners' blocks are written.
    const gid_type first = partition_.population_offset(sp);
    const std::uint64_t size = partition_.population_size(sp);
    auto k_plus = held<double>(snap, size);
    auto last = held<step_type>(snap, size);
    const auto [begin, end] = rows_of(sp);
    for (std::size_t r = begin; r < end; ++r)
      if (row_plastic_[r]) {
        (*k_plus)[row_source_[r] - first] = rows_.k_plus[r];
        (*last)[row_source_[r] - first] = rows_.last_stamp[r];
      }
    ctx_.reduce_in_place(*k_plus, reduce_op::max);
    ctx_.reduce_in_place(*last, reduce_op::max);
    const auto& lp = layout_.populations[sp];
    const std::uint64_t own = lp.first_gid - first;
    snap.fields.push_back(population_field(prefix(sp) + "k_plus", lp, first, size, k_plus->data() + own));
    snap.fields.push_back(population_field(prefix(sp) + "last_pre_stamp", lp, first, size, last->data() + own));
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
    auto locator = std::make_shared<const synapse_locator>(net_, partition_, layout_, store_, row_source_, i);
    auto weights = held<double>(snap, locator->size());
    fields.push_back(slice_field(ctx_, weight_name(i), *weights));
    snap.commit.push_back([&store = store_, locator, weights] {
      std::size_t k = 0;
      locator->for_each(all_targets, [&](std::uint64_t, std::uint64_t, std::uint64_t position) {
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

  // K+ of every source a row here has: the owners' blocks end to end.
  for (std::size_t j = 0; j < sources.size(); ++j) {
    const gid_type first = partition_.population_offset(sources[j]);
    auto k_plus = std::make_shared<std::vector<double>>(ctx_.allgather(std::span<const double>(*own_k_plus[j])));
    auto last = std::make_shared<std::vector<step_type>>(ctx_.allgather(std::span<const step_type>(*own_last_pre[j])));
    snap.commit.push_back([this, rows = rows_of(sources[j]), first, k_plus, last] {
      for (std::size_t r = rows.first; r < rows.second; ++r) {
        rows_.k_plus[r] = row_plastic_[r] ? (*k_plus)[row_source_[r] - first] : 0.0;
        rows_.last_stamp[r] = row_plastic_[r] ? (*last)[row_source_[r] - first] : 0;
      }
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

}  // namespace hetspike
