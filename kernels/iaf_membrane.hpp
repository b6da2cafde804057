#pragma once
// What the three iaf kernels (iaf_psc_delta.hpp, iaf_psc_exp.hpp, iaf_psc_alpha.hpp) hold alike: their
// propagators, the resting potential, and per neuron the membrane potential relative to E_L and the refractory
// steps left. Each model adds its synaptic currents and its own step.
#include <Kokkos_Core.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace hetspike {

template <class ExecSpace, class Propagators>
class iaf_membrane {
 public:
  using memory_space = typename ExecSpace::memory_space;

  std::size_t size() const { return v_.extent(0); }
  const Propagators& propagators() const { return p_; }
  double resting_potential() const { return e_l_; }
  /// Membrane potential relative to E_L, and refractory steps left.
  Kokkos::View<double*, memory_space> v_relative() const { return v_; }
  Kokkos::View<std::int32_t*, memory_space> refractory() const { return refractory_; }

 protected:
  iaf_membrane(std::string_view model, const Propagators& p, double e_l, std::size_t count)
      : p_(p), e_l_(e_l), v_(label(model, "V_m"), count), refractory_(label(model, "refractory"), count) {}

  /// One value per neuron of the model's own state, labelled "hetspike::<model>::<name>".
  static Kokkos::View<double*, memory_space> state(std::string_view model, std::string_view name, std::size_t count) {
    return Kokkos::View<double*, memory_space>(label(model, name), count);
  }

  Propagators p_;
  double e_l_;
  Kokkos::View<double*, memory_space> v_;
  Kokkos::View<std::int32_t*, memory_space> refractory_;

 private:
  static std::string label(std::string_view model, std::string_view name) {
    return "hetspike::" + std::string(model) + "::" + std::string(name);
  }
};

}  // namespace hetspike
