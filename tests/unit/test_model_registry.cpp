// Every registered model, through its description only: positive and negative weights reach its receptors (the
// kernel's state moves, and the builder's classes point at those receptors' columns), its parameters read back as
// their defaults, and its state variables are all checkpointed by name.
#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <optional>
#include <set>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "kernels/model_neurons.hpp"
#include "kernels/neuron_models.hpp"
#include "kernels/neuron_population.hpp"
#include "kernels/random.hpp"
#include "partition/synapse_classes.hpp"

namespace hetspike {
namespace {

using exec = Kokkos::DefaultHostExecutionSpace;
using mem = exec::memory_space;

/// Every state variable of neuron 0, integers as doubles.
template <class Neurons>
std::vector<double> state_of(const Neurons& n) {
  std::vector<double> out;
  n.for_each_variable([&](const auto&, const auto& view) { out.push_back(static_cast<double>(view(0))); });
  return out;
}

/// The state of one neuron of model M after `steps` steps with `units` of ring input at receptor `receptor` in the
/// first (none if receptor < 0), at 2^-20 weight units per ring unit.
template <class M>
std::vector<double> after_input(int receptor, fixed_type units, int steps = 2) {
  model_neurons<exec, M> n(typename M::params{}, 0.1, 1, std::ldexp(1.0, -20));
  ring_buffer_view<mem> ring("ring", 1, M::receptors.size());
  Kokkos::View<std::uint8_t*, mem> spiked("spiked", 1);
  if (receptor >= 0) ring(0, receptor) = units;
  for (int step = 0; step < steps; ++step) {
    n.update(exec(), Kokkos::subview(ring, 0, Kokkos::ALL), 0, spiked);
    Kokkos::fence();
  }
  return state_of(n);
}

TEST(model_registry, positive_and_negative_weights_reach_every_model) {
  for_each_model([](auto model) {
    using M = decltype(model);
    const auto quiet = after_input<M>(-1, 0);
    for (const double weight : {1.0, -1.0}) {
      const int receptor = default_receptor<M>(weight);
      ASSERT_GE(receptor, 0) << M::name << " takes no weight " << weight;
      const auto moved = after_input<M>(receptor, static_cast<fixed_type>(weight * (1 << 20)));
      EXPECT_NE(moved, quiet) << M::name << ": a weight of " << weight << " into receptor " << receptor
                              << " changed nothing";
    }
  });
}

// Reaching is not enough: a port that negated its weights (a generated model's unqualified port once did) would
// move the state too. A positive weight into the receptor that takes it by default must raise the membrane
// potential and a negative one lower it (through a current, a conductance towards its reversal potential or the
// potential itself), in every model.
/// Every state variable of every neuron as bits, and the step's spike flags: what two runs must share exactly.
template <class Neurons>
std::vector<std::uint64_t> bits_of(const Neurons& n, const Kokkos::View<std::uint8_t*, mem>& spiked) {
  std::vector<std::uint64_t> out;
  n.for_each_variable([&](const auto&, const auto& view) {
    for (std::size_t i = 0; i < view.extent(0); ++i) {
      if constexpr (std::is_same_v<typename std::decay_t<decltype(view)>::value_type, double>)
        out.push_back(std::bit_cast<std::uint64_t>(view(i)));
      else
        out.push_back(static_cast<std::uint64_t>(view(i)));
    }
  });
  for (std::size_t i = 0; i < spiked.extent(0); ++i) out.push_back(spiked(i));
  return out;
}

// The host runs blocks of neurons with vector instructions where the CPU has them (model_neurons' block_tag);
// devices run one neuron per thread, the same step. On this host both shapes must give the same bits, step by
// step, for every model: 1,037 neurons (two blocks and a tail, lanes and a remainder), membranes spread up to above
// threshold, random input of both signs in every receptor.
TEST(model_registry, blocks_of_neurons_and_one_neuron_per_thread_give_the_same_bits) {
  for_each_model([]<class M>(M) {
    using neurons = model_neurons<exec, M>;
    constexpr std::uint32_t n = 1037;
    const double input_scale = std::ldexp(1.0, -20);
    neurons blocks(typename M::params{}, 0.1, n, input_scale), single(typename M::params{}, 0.1, n, input_scale);
    const auto columns = static_cast<std::size_t>(neurons::num_receptors) * n;
    ring_row_view<mem> row_blocks("row_blocks", columns), row_single("row_single", columns);
    Kokkos::View<std::uint8_t*, mem> spiked_blocks("spiked_blocks", n), spiked_single("spiked_single", n);
    random_stream s(make_rng_key(8, rng_purpose::poisson_input, 1), 0);
    // Membranes from rest to 40 mV above it: some fire at once, and the rest meet the input from many places.
    std::vector<double> v(n);
    const double rest = M::resting_potential(typename M::params{});
    for (double& x : v) x = rest + 40.0 * s.uniform();
    blocks.set_membrane_potentials(v);
    single.set_membrane_potentials(v);
    std::size_t spikes = 0;
    for (int step = 0; step < 200; ++step) {
      for (std::size_t c = 0; c < columns; ++c)
        row_blocks(c) = row_single(c) = (static_cast<fixed_type>(s.below(2001)) - 1000) << s.below(12);
      blocks.update(exec(), row_blocks, 0, spiked_blocks);
      Kokkos::parallel_for(Kokkos::RangePolicy<exec>(exec(), 0, n),
                           typename neurons::step_functor{single.constants(), single.real_state(),
                                                          single.integer_state(), row_single, 0, n, spiked_single});
      Kokkos::fence();
      ASSERT_EQ(bits_of(blocks, spiked_blocks), bits_of(single, spiked_single)) << M::name << ", step " << step;
      for (std::size_t c = 0; c < columns; ++c) ASSERT_EQ(row_blocks(c), 0) << M::name << ": the input is cleared";
      for (std::uint32_t i = 0; i < n; ++i) spikes += spiked_blocks(i);
    }
    EXPECT_GT(spikes, 0u) << M::name << ": the comparison should include spikes and resets";
  });
}

TEST(model_registry, positive_weights_depolarise_and_negative_ones_hyperpolarise) {
  for_each_model([](auto model) {
    using M = decltype(model);
    std::size_t v = M::state_variables.size();
    for (const std::string_view name : {"V_m", "V_rel", "v"})
      for (std::size_t j = 0; j < M::state_variables.size() && v == M::state_variables.size(); ++j)
        if (M::state_variables[j].name == name) v = j;
    ASSERT_LT(v, M::state_variables.size()) << M::name << " has no membrane potential named V_m, V_rel or v";
    const int steps = 5;  // alpha-shaped inputs reach the potential a step or two after they arrive
    const double quiet = after_input<M>(-1, 0, steps)[v];
    for (const double weight : {2.0, -2.0}) {  // below every threshold: a spike would reset the potential
      const int receptor = default_receptor<M>(weight);
      ASSERT_GE(receptor, 0) << M::name << " takes no weight " << weight;
      const double moved = after_input<M>(receptor, static_cast<fixed_type>(weight * (1 << 20)), steps)[v] - quiet;
      EXPECT_GT(moved * weight, 0.0) << M::name << ": a weight of " << weight << " into receptor " << receptor
                                     << " moved " << M::state_variables[v].name << " by " << moved;
    }
  });
}

TEST(model_registry, classes_send_each_sign_to_its_default_receptor) {
  // One source population, and one target population of each model, each receiving a positive and a negative
  // projection; three neurons each, on one rank.
  network_spec net;
  net.populations.push_back({"source", iaf_psc_delta_params{}, 3, value_distribution::constant(-70)});
  for_each_model([&](auto model) {
    using M = decltype(model);
    net.populations.push_back({std::string(M::name), typename M::params{}, 3, value_distribution::constant(-70)});
  });
  for (std::size_t target = 1; target < net.populations.size(); ++target)
    for (const double weight : {2.0, -3.0}) {
      projection_spec p;
      p.source = 0, p.target = target, p.rule = connection_rule::all_to_all;
      p.weight = value_distribution::constant(weight), p.delay = value_distribution::constant(1.0);
      net.projections.push_back(p);
    }
  std::vector<std::uint64_t> sizes;
  for (const auto& p : net.populations) sizes.push_back(p.size);
  const block_partition part(sizes, 1);
  const auto layout = make_local_layout(net, part, 0);
  const auto table = make_class_table(net, layout);
  ASSERT_EQ(table.classes.size(), net.projections.size());
  for (const auto& c : table.classes) {
    const auto& spec = net.projections[c.projection];
    const auto& target = layout.populations[spec.target];
    const int receptor = default_receptor(net.populations[spec.target].params, spec.weight.a);
    // The delivery's column for this class's weight: the class column, plus the offset for weights <= 0.
    const std::uint32_t column = c.column + (spec.weight.a > 0 ? 0u : c.inhibitory_offset);
    EXPECT_EQ(column, target.first_column + static_cast<std::uint32_t>(receptor) * target.count)
        << model_name(net.populations[spec.target].params) << ", weight " << spec.weight.a;
  }
}

TEST(model_registry, a_named_receptor_takes_every_weight) {
  // iaf_psc_exp targets: a negative weight named into "ex" lands in the excitatory column, a positive one named into
  // "in" in the inhibitory column; unnamed, each sign keeps NEST's rule.
  network_spec net;
  net.populations.push_back({"source", iaf_psc_delta_params{}, 3, value_distribution::constant(-70)});
  net.populations.push_back({"target", iaf_psc_exp_params{}, 5, value_distribution::constant(-70)});
  const std::pair<double, std::optional<std::uint32_t>> cases[] = {{-3.0, 0u}, {2.0, 1u}, {-3.0, std::nullopt}};
  for (const auto& [weight, receptor] : cases) {
    projection_spec p;
    p.source = 0, p.target = 1, p.rule = connection_rule::all_to_all, p.receptor = receptor;
    p.weight = value_distribution::constant(weight), p.delay = value_distribution::constant(1.0);
    net.projections.push_back(p);
  }
  const block_partition part({3, 5}, 1);
  const auto layout = make_local_layout(net, part, 0);
  const auto table = make_class_table(net, layout);
  const auto& target = layout.populations[1];
  auto column = [&](std::size_t projection) {
    const auto& c = table.classes[projection];
    return c.column + (net.projections[projection].weight.a > 0 ? 0u : c.inhibitory_offset) - target.first_column;
  };
  EXPECT_EQ(column(0), 0u);  // "ex"
  EXPECT_EQ(column(1), 5u);  // "in"
  EXPECT_EQ(column(2), 5u);  // unnamed, negative: "in"
}

TEST(model_registry, a_poisson_input_reaches_its_named_receptor) {
  // A positive Poisson input named into "in" raises the inhibitory current of every neuron, not the excitatory one.
  const fixed_point_scale scale = fixed_point_scale::for_max_weight(100.0);
  neuron_population<exec> pop(iaf_psc_exp_params{}, 0.1, 4, 0, 0, 0, scale);
  pop.add_poisson_input(1, {0, 1e6, 50.0, 0, 1}, 0.1);  // 100 spikes per step on average
  ring_buffer_view<mem> ring("ring", 1, 8);
  Kokkos::View<std::uint8_t*, mem> spiked("spiked", 4);
  pop.update(exec(), Kokkos::subview(ring, 0, Kokkos::ALL), 0, spiked);
  Kokkos::fence();
  const auto& m = std::get<model_neurons<exec, iaf_psc_exp>>(pop.model());
  for (std::size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(m.variable<2>()(i), 0.0) << i;  // I_syn_ex
    EXPECT_GT(m.variable<3>()(i), 0.0) << i;  // I_syn_in
  }
}

TEST(model_registry, descriptions_are_consistent) {
  for_each_model([](auto model) {
    using M = decltype(model);
    const typename M::params defaults{};
    std::set<std::string_view> names;
    for (const auto& p : M::parameters) {
      EXPECT_TRUE(names.insert(p.name).second) << M::name << ": parameter " << p.name << " twice";
      if (const auto v = p.get(defaults)) {
        EXPECT_EQ(range_violation(p.name, p.unit, p.range, p.is_integer(), *v), "")
            << M::name << ": the default of " << p.name << " is outside its range";
      }
    }
    EXPECT_FALSE(M::check(defaults).has_value()) << M::name << ": the defaults break a rule between parameters";
    std::set<std::string_view> state;
    for (const auto& v : M::state_variables)
      EXPECT_TRUE(state.insert(v.name).second) << M::name << ": state variable " << v.name << " twice";
    EXPECT_GE(M::receptors.size(), 1u) << M::name;
  });
}

TEST(model_registry, recordable_variables_are_the_state_and_v_m_where_the_state_has_v_rel) {
  for_each_model([](auto model) {
    using M = decltype(model);
    typename M::params p{};
    const auto recordable = model_recordable_variables<M>(p);
    std::set<std::string_view> names;
    for (const auto& v : recordable) EXPECT_TRUE(names.insert(v.name).second) << M::name << ": " << v.name << " twice";
    for (std::size_t j = 0; j < M::state_variables.size(); ++j) {
      const auto& s = M::state_variables[j];
      EXPECT_TRUE(std::any_of(
          recordable.begin(), recordable.end(),
          [&](const auto& v) { return v.name == s.name && v.state_index == j && v.offset == 0 && v.unit == s.unit; }))
          << M::name << ": state variable " << s.name << " is not recordable as it is";
    }
    auto in_state = [](std::string_view name) {
      return std::any_of(M::state_variables.begin(), M::state_variables.end(),
                         [&](const auto& s) { return s.name == name; });
    };
    const auto v_m = std::find_if(recordable.begin(), recordable.end(), [](const auto& v) { return v.name == "V_m"; });
    // V_m is offered where the state holds it, absolute or relative to rest.
    ASSERT_EQ(in_state("V_m") || in_state("V_rel"), v_m != recordable.end()) << M::name;
    if (v_m == recordable.end()) return;
    // V_m recorded is the potential the neurons were set to (V_rel plus the offset, where it is derived).
    model_neurons<exec, M> n(p, 0.1, 1, 1.0);
    const double v_init = -61.25;
    n.set_membrane_potentials(std::span<const double>(&v_init, 1));
    std::size_t j = 0;
    n.for_each_variable([&](const auto&, const auto& view) {
      if (j++ == v_m->state_index) {
        EXPECT_EQ(static_cast<double>(view(0)) + v_m->offset, v_init) << M::name;
      }
    });
    EXPECT_EQ(v_m->unit, "mV");
    EXPECT_EQ(v_m->offset != 0, in_state("V_rel") && M::resting_potential(p) != 0) << M::name;
    if (in_state("V_rel")) {
      EXPECT_EQ(recordable.front().name, "V_m") << M::name << ": V_m, the name users expect, comes first";
    }
  });
}

TEST(model_registry, range_violations_name_what_is_allowed) {
  EXPECT_EQ(range_violation("C_m", "pF", value_range::positive(), false, 0), "0 pF is not positive; allowed: C_m > 0");
  EXPECT_EQ(range_violation("t_ref", "ms", value_range::non_negative(), false, -1),
            "-1 ms is negative; allowed: t_ref >= 0");
  EXPECT_EQ(range_violation("du", "", value_range::between(0, 4095), true, 2.5),
            "2.5 is not a whole number from 0 to 4095; allowed: du from 0 to 4095");
  EXPECT_EQ(range_violation("du", "", value_range::between(0, 4095), true, 4095), "");
  EXPECT_EQ(range_violation("E", "mV", value_range::between(-1, 1), false, 2),
            "2 mV is not from -1 to 1; allowed: E from -1 to 1");
}

}  // namespace
}  // namespace hetspike
