#pragma once
// The local neurons of one population of any model (model_description.hpp) as a structure of arrays: one row of a
// view per state variable (doubles in one view, 32-bit integers in another), so that a step reads and writes each
// variable contiguously and the compiler vectorises the model's step as it would a hand-written loop. The ring's
// columns for the population are receptor by receptor: [column + r n, column + (r + 1) n) for receptor r.
#include <Kokkos_Core.hpp>

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <utility>

#include "kernels/model_description.hpp"
#include "kernels/ring_buffer.hpp"
#include "kernels/target_clones.hpp"

namespace hetspike {

template <class ExecSpace, class Model>
class model_neurons {
 public:
  using model = Model;
  using memory_space = typename ExecSpace::memory_space;
  using params_type = typename Model::params;
  using state = typename Model::state;
  using real_view = Kokkos::View<double**, Kokkos::LayoutRight, memory_space>;
  using integer_view = Kokkos::View<std::int32_t**, Kokkos::LayoutRight, memory_space>;
  static constexpr std::size_t num_variables = Model::state_variables.size();
  static constexpr int num_receptors = receptor_count<Model>();

  /// `count` neurons in the model's initial state; `input_scale`: weight units per ring unit.
  model_neurons(const params_type& params, double dt, std::size_t count, double input_scale)
      : params_(params),
        constants_(Model::prepare(params, dt, input_scale)),
        update_label_(label("update")),
        real_(label("real_state"), count_state<Model>(false), count),
        integer_(label("integer_state"), count_state<Model>(true), count) {
    rewrite(true, [](state&, std::size_t) {});
  }

  std::size_t size() const { return real_.extent(1); }
  const params_type& params() const { return params_; }
  const typename Model::constants& constants() const { return constants_; }
  /// Every state variable of each kind, one row per variable (the order of their kind in Model::state_variables).
  const real_view& real_state() const { return real_; }
  const integer_view& integer_state() const { return integer_; }

  /// State variable `j` (of Model::state_variables) of every neuron: a view of doubles or of 32-bit integers.
  template <std::size_t J>
  auto variable() const {
    constexpr auto slot = slot_of(J);
    if constexpr (Model::state_variables[J].is_integer())
      return Kokkos::subview(integer_, slot, Kokkos::ALL);
    else
      return Kokkos::subview(real_, slot, Kokkos::ALL);
  }
  /// Calls f(variable description, view) for every state variable, in the description's order.
  template <class F>
  void for_each_variable(F&& f) const {
    [&]<std::size_t... J>(std::index_sequence<J...>) { (f(Model::state_variables[J], variable<J>()), ...); }
    (std::make_index_sequence<num_variables>{});
  }

  /// Host: sets V_m (absolute, mV) of every local neuron, in local order, as the model takes it.
  void set_membrane_potentials(std::span<const double> v_absolute) {
    rewrite(false, [&](state& s, std::size_t i) { Model::set_potential(params_, s, v_absolute[i]); });
  }

  /// One step: reads and clears this step's input in `input` at the population's columns from `column`, sets
  /// spiked(i).
  void update(const ExecSpace& space, const ring_row_view<memory_space>& input, std::uint32_t column,
              const Kokkos::View<std::uint8_t*, memory_space>& spiked) const {
    const step_functor step{constants_, real_, integer_, input, column, static_cast<std::uint32_t>(size()), spiked};
    if constexpr (Kokkos::SpaceAccessibility<Kokkos::HostSpace, memory_space>::accessible)
      Kokkos::parallel_for(update_label_,
                           Kokkos::RangePolicy<ExecSpace, typename step_functor::block_tag>(
                               space, 0, (size() + step_functor::block_size - 1) / step_functor::block_size),
                           step);
    else
      Kokkos::parallel_for(update_label_, Kokkos::RangePolicy<ExecSpace>(space, 0, size()), step);
  }

  struct step_functor {
    typename Model::constants c;
    real_view real;
    integer_view integer;
    ring_row_view<memory_space> input;
    std::uint32_t column, n;
    Kokkos::View<std::uint8_t*, memory_space> spiked;

    /// Devices: one neuron per thread.
    KOKKOS_INLINE_FUNCTION void operator()(std::size_t i) const {
      step_one(c, real, integer, input.data() + column, n, spiked.data(), i);
    }

    /// Host spaces: neurons [block block_size, (block + 1) block_size) with every address in a local. The spike flags
    /// are bytes, and a byte's store may alias anything: stepping through the views, the compiler reloads each address
    /// and constant from the functor after every flag. Built for each x86 level (target_clones.hpp): the loop
    /// vectorises where the CPU has AVX2 or AVX-512, with the same bits as one neuron at a time
    /// (tests/unit/test_model_registry.cpp). A block is a threaded space's work item: a few per thread and step.
    struct block_tag {};
    static constexpr std::size_t block_size = 512;
    HETSPIKE_TARGET_CLONES void operator()(block_tag, std::size_t block) const {
      const typename Model::constants constants = c;
      const strided_rows<double> reals{real.data(), real.stride(0)};
      const strided_rows<std::int32_t> integers{integer.data(), integer.stride(0)};
      fixed_type* const in = input.data() + column;
      std::uint8_t* const flags = spiked.data();
      const std::uint32_t count = n;
      const std::size_t end = (block + 1) * block_size < count ? (block + 1) * block_size : count;
      // Neuron i's step touches element i of each array only, and the arrays do not overlap (rows of views at least
      // `count` long): said, since GCC otherwise needs more run-time overlap checks than it makes and stays scalar.
#if defined(__GNUC__) && !defined(__clang__) && !defined(__CUDACC__)
#pragma GCC ivdep
#endif
      for (std::size_t i = block * block_size; i < end; ++i) step_one(constants, reals, integers, in, count, flags, i);
    }
  };

 private:
  /// Row `slot`, column i of a row-major array: what step_one reads state through, a view or its bare address.
  template <class T>
  struct strided_rows {
    T* data;
    std::size_t stride;
    KOKKOS_INLINE_FUNCTION T& operator()(std::size_t slot, std::size_t i) const { return data[slot * stride + i]; }
  };

  /// Neuron i's step: its input (receptor r at in[r n + i]) read and cleared, its state read and written back,
  /// its spike flag set.
  template <class Real, class Integer>
  KOKKOS_INLINE_FUNCTION static void step_one(const typename Model::constants& c, const Real& real,
                                              const Integer& integer, fixed_type* in, std::uint32_t n,
                                              std::uint8_t* flags, std::size_t i) {
    fixed_type x[num_receptors];
    for (int r = 0; r < num_receptors; ++r) {
      x[r] = in[r * n + i];
      in[r * n + i] = 0;
    }
    state s;
    load(s, real, integer, i);
    const bool spike = Model::step(c, s, x);
    store(s, real, integer, i);
    flags[i] = spike ? 1 : 0;
  }

  /// Where variable j lives: its row in the view of its kind.
  static constexpr std::size_t slot_of(std::size_t j) {
    std::size_t slot = 0;
    for (std::size_t k = 0; k < j; ++k)
      slot += Model::state_variables[k].is_integer() == Model::state_variables[j].is_integer() ? 1 : 0;
    return slot;
  }

  // One neuron's state from views (the kernel's, or their host mirrors) and back. The member pointers are constants:
  // the loads and stores are plain array accesses.
  template <std::size_t J, class Real, class Integer>
  KOKKOS_INLINE_FUNCTION static void load_one(state& s, const Real& real, const Integer& integer, std::size_t i) {
    constexpr auto var = Model::state_variables[J];
    if constexpr (var.is_integer()) {
      constexpr auto member = std::get<1>(var.member);
      s.*member = integer(slot_of(J), i);
    } else {
      constexpr auto member = std::get<0>(var.member);
      s.*member = real(slot_of(J), i);
    }
  }
  template <std::size_t J, class Real, class Integer>
  KOKKOS_INLINE_FUNCTION static void store_one(const state& s, const Real& real, const Integer& integer,
                                               std::size_t i) {
    constexpr auto var = Model::state_variables[J];
    if constexpr (var.is_integer()) {
      constexpr auto member = std::get<1>(var.member);
      integer(slot_of(J), i) = s.*member;
    } else {
      constexpr auto member = std::get<0>(var.member);
      real(slot_of(J), i) = s.*member;
    }
  }
  template <class Real, class Integer>
  KOKKOS_INLINE_FUNCTION static void load(state& s, const Real& real, const Integer& integer, std::size_t i) {
    [&]<std::size_t... J>(std::index_sequence<J...>) { (load_one<J>(s, real, integer, i), ...); }
    (std::make_index_sequence<num_variables>{});
  }
  template <class Real, class Integer>
  KOKKOS_INLINE_FUNCTION static void store(const state& s, const Real& real, const Integer& integer, std::size_t i) {
    [&]<std::size_t... J>(std::index_sequence<J...>) { (store_one<J>(s, real, integer, i), ...); }
    (std::make_index_sequence<num_variables>{});
  }

  /// Host: f(state, i) applied to every neuron's state, which starts as the current one, or (`from_initial`) as the
  /// model's initial one (initial_state()).
  template <class F>
  void rewrite(bool from_initial, F&& f) {
    auto real = Kokkos::create_mirror_view(real_);
    auto integer = Kokkos::create_mirror_view(integer_);
    if (!from_initial) {
      Kokkos::deep_copy(real, real_);
      Kokkos::deep_copy(integer, integer_);
    }
    const state initial = initial_state<Model>(constants_);
    for (std::size_t i = 0; i < size(); ++i) {
      state s = initial;
      if (!from_initial) load(s, real, integer, i);
      f(s, i);
      store(s, real, integer, i);
    }
    Kokkos::deep_copy(real_, real);
    Kokkos::deep_copy(integer_, integer);
  }

  static std::string label(std::string_view what) {
    return "hetspike::" + std::string(Model::name) + "::" + std::string(what);
  }

  params_type params_;
  typename Model::constants constants_;
  std::string update_label_;  ///< made once: the update runs every step
  real_view real_;
  integer_view integer_;
};

}  // namespace hetspike
