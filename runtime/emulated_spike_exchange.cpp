#include "runtime/emulated_spike_exchange.hpp"

#include <cmath>

#include "kernels/random.hpp"
#include "partition/connectivity_builder.hpp"

namespace hetspike {

emulated_spike_exchange::emulated_spike_exchange(routing_table routes, int ranks, int rank, const network_spec& net,
                                                 const std::vector<double>& rate_hz,
                                                 const std::vector<std::uint64_t>& population_first_row,
                                                 const std::vector<std::uint32_t>& own_row)
    : rank_(rank), seed_(net.seed), population_first_row_(population_first_row) {
  routes_ = std::move(routes);
  send_counts_.assign(ranks, 0);
  send_displs_.assign(ranks, 0);
  for (double r : rate_hz) fire_probability_.push_back(std::min(1.0, r * net.dt * 1e-3));
  const std::uint64_t rows = population_first_row.empty() ? 0 : population_first_row.back();
  own_rows_.assign(rows / 64 + 1, 0);
  for (auto row : own_row)
    if (row != no_row) own_rows_[row >> 6] |= std::uint64_t{1} << (row & 63);
}

void emulated_spike_exchange::draw_remote(step_type step, std::uint32_t lag) {
  for (std::size_t p = 0; p + 1 < population_first_row_.size(); ++p) {
    const double prob = fire_probability_[p];
    const std::uint64_t first = population_first_row_[p], rows = population_first_row_[p + 1] - first;
    if (prob <= 0 || rows == 0) continue;
    random_stream stream(make_rng_key(seed_, rng_purpose::emulated_spikes, static_cast<std::uint32_t>(p)),
                         static_cast<std::uint64_t>(step));
    const double log_miss = prob < 1.0 ? std::log1p(-prob) : 0.0;
    for (std::uint64_t i = 0;; ++i) {
      if (prob < 1.0) {
        const double skip = std::floor(std::log(stream.uniform_pos()) / log_miss);
        if (skip >= static_cast<double>(rows - i)) break;
        i += static_cast<std::uint64_t>(skip);
      }
      if (i >= rows) break;
      if (own(first + i)) continue;  // its spikes come from this rank's own neurons
      received_.push_back({static_cast<std::uint32_t>(first + i), lag});
      ++remote_messages_;
    }
  }
}

std::span<const spike_message> emulated_spike_exchange::exchange(std::span<const local_spike> spikes, step_type start,
                                                                 step_type steps) {
  pack(spikes);
  received_.clear();
  const auto mine = static_cast<std::size_t>(send_displs_[rank_]);
  received_.insert(received_.end(), send_.begin() + static_cast<std::ptrdiff_t>(mine),
                   send_.begin() + static_cast<std::ptrdiff_t>(mine + send_counts_[rank_]));
  for (step_type lag = 0; lag < steps; ++lag) draw_remote(start + lag, static_cast<std::uint32_t>(lag));
  messages_received_ += received_.size();
  return received_;
}

}  // namespace hetspike
