#pragma once
// What a finished run reports (io/ writes it as JSON): sizes, activity, and where the time and memory went.
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace hetspike {

/// Wall-clock seconds per phase of the run on one rank.
struct phase_timers {
  double build = 0;        ///< partition, connection generation, synapse store, exchange tables
  double input = 0;        ///< external (Poisson) input
  double update = 0;       ///< neuron updates and spike collection
  double deliver = 0;      ///< writing received spikes into ring buffers
  double communicate = 0;  ///< spike exchange collectives and packing
  double output = 0;       ///< recording and writing spike files
  double checkpoint = 0;   ///< writing and reading checkpoints
};

struct rank_summary {
  int rank = 0;
  std::string backend;      ///< e.g. "cpu (Kokkos::Serial; --backend auto)"
  int build_threads = 1;    ///< OpenMP threads of the host-side build (OMP_NUM_THREADS, else its share of its CPUs)
  double weight = 1.0;      ///< the rank's partition weight
  double busy_seconds = 0;  ///< update + deliver: the work that rank weights balance
  std::uint64_t neurons = 0;
  std::uint64_t synapses = 0;
  std::uint64_t spikes_emitted = 0;    ///< spikes of this rank's neurons, whole run
  std::uint64_t messages_sent = 0;     ///< spike messages sent to ranks (one per spike and destination rank)
  std::uint64_t bytes_sent = 0;        ///< payload bytes of those messages, this rank included
  std::uint64_t rss_before_build = 0;  ///< bytes, resident set size before the network was built
  std::uint64_t peak_rss = 0;          ///< bytes, peak resident set size of the whole run
  std::uint64_t peak_rss_after_build = 0;
  phase_timers timers;
  // What the rank holds (docs/scaling.md): rows and routes, and the bytes of each part after the build.
  std::uint64_t rows = 0;           ///< source neurons with synapses on this rank
  std::uint64_t routes = 0;         ///< (local neuron, rank holding a row of it) pairs
  std::uint64_t synapse_bytes = 0;  ///< per-synapse arrays of the store
  std::uint64_t row_bytes = 0;      ///< the store's rows, ranges and classes
  std::uint64_t route_bytes = 0;    ///< the routing table
  std::uint64_t plastic_bytes = 0;  ///< per-row STDP state (K+, last spike)
  std::uint64_t intervals = 0;      ///< exchanges
  std::uint64_t messages_received = 0;
  std::uint64_t store_hash = 0;   ///< of the synapse store's contents: equal stores, equal hashes
  std::uint64_t routes_hash = 0;  ///< of the routing table
};

/// One rank of a bigger job built and run alone (hetspike run --emulate-ranks P --as-rank R).
struct emulation_summary {
  int ranks = 0;               ///< P, the job's rank count
  int as_rank = 0;             ///< R
  std::string routes;          ///< "drawn" or "replayed": how the rank's routes were found
  double routing_seconds = 0;  ///< drawing or replaying them (stands in for the other ranks' announcements)
  std::vector<std::pair<std::string, double>> rates_hz;  ///< the other ranks' neurons' rates, per population
  std::uint64_t remote_messages = 0;                     ///< messages drawn for the other ranks' spikes
};

struct population_summary {
  std::string name;
  std::string model;
  std::uint64_t size = 0;
  std::uint64_t recorded = 0;  ///< neurons whose spikes go to the spike file (0: not recorded)
  /// Neurons that spikes, rate_hz and cv_isi are over: the recorded ones, or all where none are recorded.
  std::uint64_t counted = 0;
  std::uint64_t spikes = 0;  ///< in the recorded window [t_presim, t_presim + t_sim), counted neurons
  double rate_hz = 0;        ///< mean over the counted neurons
  double cv_isi = 0;         ///< mean ISI CV over counted neurons with at least 2 intervals (0 if none)
  std::uint64_t neurons_with_cv = 0;
};

/// How much weights into neuromorphic (chip) populations changed when quantised to the chip's 8 bits.
struct quantization_summary {
  std::uint64_t weights = 0;    ///< synapses into chip populations
  std::uint64_t saturated = 0;  ///< weights outside the chip's range, clipped
  double relative_error = 0;    ///< sum |quantised - weight| / sum |weight|
  double max_abs_error = 0;     ///< model units (mV or pA)
};

/// How finely the fixed-point sums resolve the model's weights: the worst weight (partition/local_network.hpp).
struct weight_resolution_summary {
  double max_relative_error = 0;
  double weight = 0;
  std::string population, where;
};

/// A library of neuron models the model file loaded (`libraries`): where, which build of it, and its models.
struct library_summary {
  std::string path;       ///< absolute
  std::string file_hash;  ///< 16 hex digits over the file's bytes (content_hash): which build ran
  std::vector<std::string> models;
};

struct run_summary {
  std::string hetspike_version;
  std::string model_file;
  std::string model_hash;
  std::vector<library_summary> libraries;
  std::vector<std::pair<std::string, double>> parameters;  ///< the model file's [parameters] as resolved
  std::uint32_t seed = 0;
  int ranks = 1;
  double dt = 0.1;         ///< ms
  double t_sim = 0;        ///< ms
  double t_presim = 0;     ///< ms
  std::int64_t d_min = 1;  ///< steps
  std::int64_t d_max = 1;  ///< steps
  std::uint64_t neurons = 0;
  std::uint64_t synapses = 0;
  std::uint64_t spikes = 0;           ///< recorded window, all neurons
  std::uint64_t recorded_spikes = 0;  ///< recorded window, recorded neurons: what the spike file holds
  std::string spike_hash;             ///< order-independent hash of all (gid, step) in the recorded window
  double build_seconds = 0;           ///< max over ranks
  double simulate_seconds = 0;        ///< max over ranks, presim included
  double real_time_factor = 0;        ///< simulate_seconds / simulated seconds
  std::uint64_t synaptic_events = 0;  ///< spikes delivered to synapses, whole run
  double synaptic_events_per_second = 0;
  double bytes_per_synapse = 0;  ///< sum over ranks of (peak RSS after build - RSS before) / synapses
  double busy_imbalance = 1.0;   ///< max over ranks of busy_seconds / their mean (1: perfectly balanced)
  quantization_summary weight_quantization;
  weight_resolution_summary weight_resolution;
  std::vector<population_summary> populations;
  std::vector<rank_summary> per_rank;
  std::vector<std::string> outputs;      ///< files written, final names
  std::int64_t resumed_from_step = -1;   ///< the checkpoint's step this run continued from; -1: a fresh start
  std::int64_t end_step = 0;             ///< the step the run reached (stopped runs end early)
  bool stopped = false;                  ///< stopped at a checkpoint when asked to (SIGTERM/SIGUSR1)
  std::vector<std::string> checkpoints;  ///< checkpoints this run wrote, in order
  std::optional<emulation_summary> emulation;
};

}  // namespace hetspike
