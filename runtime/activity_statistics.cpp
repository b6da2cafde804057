#include "runtime/activity_statistics.hpp"

#include <cmath>
#include <cstdio>

namespace hetspike {

activity_statistics::activity_statistics(const local_layout& layout, std::size_t num_populations)
    : neurons_(layout.num_local), num_populations_(num_populations) {
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

void activity_statistics::add(std::span<const local_spike> spikes, step_type interval_start) {
  for (const auto& s : spikes) {
    const step_type step = interval_start + s.lag;
    auto& n = neurons_[s.lid];
    if (n.last >= 0) {
      const double isi = static_cast<double>(step - n.last);
      n.isi_sum += isi;
      n.isi_sum_sq += isi * isi;
      ++n.intervals;
    }
    n.last = step;
    ++n.spikes;
    ++total_spikes_;
    hash_ += spike_hash(gid_of_lid_[s.lid], step);
  }
}

void activity_statistics::summarize(const distributed_context& ctx, double window_ms, run_summary& summary) const {
  // Per population: spikes, sum of per-neuron CVs, neurons with a CV (at least 2 intervals).
  std::vector<double> sums(3 * num_populations_, 0.0);
  for (std::size_t lid = 0; lid < neurons_.size(); ++lid) {
    const auto& n = neurons_[lid];
    const std::size_t p = population_of_lid_[lid];
    sums[3 * p] += n.spikes;
    if (n.intervals >= 2) {
      const double mean = n.isi_sum / n.intervals;
      const double var = std::max(0.0, n.isi_sum_sq / n.intervals - mean * mean);
      sums[3 * p + 1] += std::sqrt(var) / mean;
      sums[3 * p + 2] += 1;
    }
  }
  ctx.reduce_in_place(sums, reduce_op::sum);
  // The hash is summed modulo 2^64 as two 32-bit halves, so that no signed sum can overflow.
  std::vector<std::int64_t> totals{static_cast<std::int64_t>(total_spikes_),
                                   static_cast<std::int64_t>(hash_ & 0xffffffffu),
                                   static_cast<std::int64_t>(hash_ >> 32)};
  ctx.reduce_in_place(totals, reduce_op::sum);
  const std::uint64_t hash = (static_cast<std::uint64_t>(totals[2]) << 32) + static_cast<std::uint64_t>(totals[1]);
  for (std::size_t p = 0; p < num_populations_ && p < summary.populations.size(); ++p) {
    auto& ps = summary.populations[p];
    ps.spikes = static_cast<std::uint64_t>(sums[3 * p]);
    ps.rate_hz = ps.size > 0 && window_ms > 0 ? sums[3 * p] / static_cast<double>(ps.size) / (window_ms * 1e-3) : 0;
    ps.neurons_with_cv = static_cast<std::uint64_t>(sums[3 * p + 2]);
    ps.cv_isi = ps.neurons_with_cv > 0 ? sums[3 * p + 1] / sums[3 * p + 2] : 0;
  }
  summary.spikes = static_cast<std::uint64_t>(totals[0]);
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(hash));
  summary.spike_hash = hex;
}

}  // namespace hetspike
