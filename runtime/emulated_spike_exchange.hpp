#pragma once
// The spike exchange of one rank of a P-rank job that is built alone (`hetspike run --emulate-ranks P --as-rank R`,
// DESIGN.md "Scale: what one rank holds"). The rank's own spikes are routed as in the real job: messages for itself
// are delivered, those for the other ranks packed and counted (what the rank would send), then dropped. What the
// other P - 1 ranks would send is drawn: every row here whose source lives elsewhere fires independently in each
// step with probability rate x dt, its population's given rate; the rows that fire are found by geometric skips
// over the population's rows (O(spikes), not O(rows), per step), from a stream keyed by (seed, population, step).
#include <cstdint>
#include <vector>

#include "partition/network_spec.hpp"
#include "runtime/spike_exchange.hpp"

namespace hetspike {

class emulated_spike_exchange final : public spike_exchange {
 public:
  /// `rate_hz`: per population, the rate of its neurons on other ranks; `population_first_row`: per population + 1,
  /// its first row; `own_row`: per local neuron, its row here or no_row.
  emulated_spike_exchange(routing_table routes, int ranks, int rank, const network_spec& net,
                          const std::vector<double>& rate_hz, const std::vector<std::uint64_t>& population_first_row,
                          const std::vector<std::uint32_t>& own_row);

  std::span<const spike_message> exchange(std::span<const local_spike> spikes, step_type start,
                                          step_type steps) override;

  /// Messages drawn for the other ranks' spikes, whole run.
  std::uint64_t remote_messages() const { return remote_messages_; }

 private:
  bool own(std::uint64_t row) const { return (own_rows_[row >> 6] >> (row & 63)) & 1u; }
  void draw_remote(step_type step, std::uint32_t lag);

  int rank_;
  std::uint32_t seed_;
  std::vector<double> fire_probability_;  ///< per population: per row and step
  std::vector<std::uint64_t> population_first_row_;
  std::vector<std::uint64_t> own_rows_;  ///< bit per row: its source is a neuron of this rank
  std::vector<spike_message> received_;
  std::uint64_t remote_messages_ = 0;
};

}  // namespace hetspike
