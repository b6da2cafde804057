#include "runtime/activity_statistics.hpp"

#include <cmath>
#include <cstdio>

namespace hetspike {

activity_statistics::activity_statistics(const local_layout& layout, std::size_t num_populations,
                                         std::vector<std::uint8_t> counted)
    : spikes(layout.num_local, 0),
      intervals(layout.num_local, 0),
      last_spike(layout.num_local, -1),
      isi_sum(layout.num_local, 0.0),
      isi_sum_sq(layout.num_local, 0.0),
      counted_(std::move(counted)),
      num_populations_(num_populations) {
  population_of_lid_.reserve(layout.num_local);
  gid_of_lid_.reserve(layout.num_local);
  for (const auto& p : layout.populations)
    for (std::uint64_t i = 0; i < p.count; ++i) {
      population_of_lid_.push_back(p.population);
      gid_of_lid_.push_back(p.first_gid + i);
    }
}

std::uint64_t activity_statistics::spike_hash(gid_type gid, step_type step) {
  // splitmix64 finaliser over both values: a strong mix, so sums of hashes do not cancel by accident.
  std::uint64_t x = gid * 0x9e3779b97f4a7c15ull ^ (static_cast<std::uint64_t>(step) + 0x632be59bd9b4e019ull);
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ull;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebull;
  x ^= x >> 31;
  return x;
}

void activity_statistics::add(std::span<const local_spike> interval_spikes, step_type interval_start) {
  for (const auto& s : interval_spikes) {
    const step_type step = interval_start + s.lag;
    const std::uint32_t i = s.lid;
    if (last_spike[i] >= 0) {
      const double isi = static_cast<double>(step - last_spike[i]);
      isi_sum[i] += isi;
      isi_sum_sq[i] += isi * isi;
      ++intervals[i];
    }
    last_spike[i] = step;
    ++spikes[i];
    ++total_spikes_;
    hash_ += spike_hash(gid_of_lid_[i], step);
  }
}

std::pair<std::uint64_t, std::uint64_t> activity_statistics::global_totals(const distributed_context& ctx) const {
  // The hash is summed modulo 2^64 as two 32-bit halves, so that no signed sum can overflow.
  std::vector<std::int64_t> t{static_cast<std::int64_t>(total_spikes_), static_cast<std::int64_t>(hash_ & 0xffffffffu),
                              static_cast<std::int64_t>(hash_ >> 32)};
  ctx.reduce_in_place(t, reduce_op::sum);
  return {static_cast<std::uint64_t>(t[0]),
          (static_cast<std::uint64_t>(t[2]) << 32) + static_cast<std::uint64_t>(t[1])};
}

void activity_statistics::set_totals(const distributed_context& ctx, std::uint64_t total_spikes, std::uint64_t hash) {
  total_spikes_ = ctx.rank() == 0 ? total_spikes : 0;
  hash_ = ctx.rank() == 0 ? hash : 0;
}

void activity_statistics::summarize(const distributed_context& ctx, double window_ms, run_summary& summary) const {
  // Per population: spikes, sum of per-neuron CVs, neurons with a CV (at least 2 intervals). All integers,
  // the CVs in units of 2^-24, so that the sums, and the report, do not depend on how many ranks added them.
  std::vector<std::int64_t> sums(3 * num_populations_, 0);
  for (std::size_t i = 0; i < spikes.size(); ++i) {
    if (!counted_[i]) continue;
    const std::size_t p = population_of_lid_[i];
    sums[3 * p] += spikes[i];
    if (intervals[i] >= 2) {
      const double mean = isi_sum[i] / intervals[i];
      const double var = std::max(0.0, isi_sum_sq[i] / intervals[i] - mean * mean);
      sums[3 * p + 1] += std::llround(std::ldexp(std::sqrt(var) / mean, 24));
      sums[3 * p + 2] += 1;
    }
  }
  ctx.reduce_in_place(sums, reduce_op::sum);
  const auto [total, hash] = global_totals(ctx);
  for (std::size_t p = 0; p < num_populations_ && p < summary.populations.size(); ++p) {
    auto& ps = summary.populations[p];
    ps.spikes = static_cast<std::uint64_t>(sums[3 * p]);
    if (ps.recorded > 0) summary.recorded_spikes += ps.spikes;
    ps.rate_hz = ps.counted > 0 && window_ms > 0
                     ? static_cast<double>(sums[3 * p]) / static_cast<double>(ps.counted) / (window_ms * 1e-3)
                     : 0;
    ps.neurons_with_cv = static_cast<std::uint64_t>(sums[3 * p + 2]);
    ps.cv_isi = ps.neurons_with_cv > 0
                    ? std::ldexp(static_cast<double>(sums[3 * p + 1]), -24) / static_cast<double>(sums[3 * p + 2])
                    : 0;
  }
  summary.spikes = total;
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(hash));
  summary.spike_hash = hex;
}

}  // namespace hetspike
