#pragma once
// The network as the model file describes it, resolved to plain numbers: populations, projections and
// external inputs. io/ fills it (and validates it, naming file and key); partition/ and runtime/ only read it.
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kernels/neuron_models.hpp"
#include "kernels/types.hpp"

namespace hetspike {

/// A number that is either a constant or drawn per object. Draws outside [lower, upper] are redrawn, as
/// NEST's nest.math.redraw does (sign-keeping weights set one bound to 0).
struct value_distribution {
  enum class kind { constant, normal, uniform };
  kind type = kind::constant;
  double a = 0.0;  ///< constant: the value; normal: mean; uniform: low
  double b = 0.0;  ///< normal: standard deviation; uniform: high
  double lower = -std::numeric_limits<double>::infinity();
  double upper = std::numeric_limits<double>::infinity();

  static value_distribution constant(double v) { return {kind::constant, v, 0.0}; }
  bool is_constant() const { return type == kind::constant; }
  /// The least and the greatest value a draw can take (a normal's are its redraw bounds).
  double lowest() const { return type == kind::normal ? lower : a; }
  double highest() const { return type == kind::normal ? upper : type == kind::uniform ? b : a; }
};

struct population_spec {
  std::string name;
  neuron_params params;
  std::uint64_t size = 0;
  value_distribution v_init;  ///< initial membrane potential, mV (absolute, not relative to E_L)
  /// ms: time constant of the postsynaptic trace that STDP synapses onto this population read (NEST's
  /// tau_minus, a parameter of every neuron model; default 20 ms).
  double tau_minus = 20.0;
};

/// NEST's stdp_pl_synapse_hom (Morrison et al. 2007): power-law potentiation w += lambda w^mu K+ and
/// multiplicative depression w -= lambda alpha w K-, all-to-all pairing, parameters shared by the projection.
struct stdp_pl_params {
  double alpha = 1.0;
  double lambda = 0.1;
  double mu = 0.4;
  double tau_plus = 20.0;  ///< ms
};

enum class connection_rule { fixed_indegree, pairwise_bernoulli, fixed_total_number, one_to_one, all_to_all };

/// The rule's name as model files and NEST spell it.
inline std::string_view rule_name(connection_rule rule) {
  switch (rule) {
    case connection_rule::fixed_indegree:
      return "fixed_indegree";
    case connection_rule::pairwise_bernoulli:
      return "pairwise_bernoulli";
    case connection_rule::fixed_total_number:
      return "fixed_total_number";
    case connection_rule::one_to_one:
      return "one_to_one";
    case connection_rule::all_to_all:
      return "all_to_all";
  }
  return "unknown";
}

struct projection_spec {
  std::size_t source = 0;  ///< index into network_spec::populations
  std::size_t target = 0;
  connection_rule rule = connection_rule::all_to_all;
  std::uint64_t indegree = 0;                ///< fixed_indegree
  double probability = 0.0;                  ///< pairwise_bernoulli
  std::uint64_t total = 0;                   ///< fixed_total_number
  bool autapses = true;                      ///< NEST's allow_autapses (only matters when source == target)
  bool multapses = true;                     ///< NEST's allow_multapses
  value_distribution weight;                 ///< in the target model's unit (mV, pA or nS)
  value_distribution delay;                  ///< ms; constants are whole multiples of dt, draws are rounded to steps
  std::optional<stdp_pl_params> plasticity;  ///< absent: static synapses
  /// The target model's receptor (index into its description's receptors) that every weight reaches, as NEST's
  /// receptor_type; absent: the receptor that takes the weight's sign (receptor_port::takes).
  std::optional<std::uint32_t> receptor;
};

/// An independent Poisson spike train into every neuron of a population (NEST: one poisson_generator
/// connected to all of them), or a constant current added to I_e.
struct input_spec {
  enum class kind { poisson, dc };
  kind type = kind::poisson;
  std::size_t target = 0;
  double rate_hz = 0.0;                   ///< poisson: rate of each neuron's train
  double weight = 0.0;                    ///< poisson: weight of each input spike (mV or pA, as projections)
  double delay = 0.0;                     ///< poisson: ms; no input arrives before this time
  double amplitude = 0.0;                 ///< dc: pA
  std::optional<std::uint32_t> receptor;  ///< poisson: as projection_spec::receptor
  /// poisson: NEST's poisson_generator start and stop (ms, whole multiples of dt): the train is sent only in the
  /// steps s with start < s dt <= stop, and arrives one delay later. Absent: from the first step, without end.
  std::optional<double> start, stop;
  std::optional<std::uint64_t> first;  ///< poisson: only the target's first `first` neurons receive it
};

struct network_spec {
  double dt = 0.1;  ///< ms
  std::uint32_t seed = 0;
  std::vector<population_spec> populations;
  std::vector<projection_spec> projections;
  std::vector<input_spec> inputs;

  /// First gid of each population and, last, the total neuron count (populations.size() + 1 entries).
  std::vector<gid_type> population_offsets() const {
    std::vector<gid_type> off{0};
    for (const auto& p : populations) off.push_back(off.back() + p.size);
    return off;
  }
  gid_type num_neurons() const { return population_offsets().back(); }
};

}  // namespace hetspike
