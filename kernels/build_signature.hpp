#pragma once
// What a model library (kernels/model_library.hpp) and the hetspike that loads it must share for the library's
// code to run inside it: the same hetspike version and model interface, the same Kokkos, the same execution
// spaces. Inline and built from this build's macros, so that a library reports the build it was compiled with.
#include <Kokkos_Core.hpp>

#include <string>
#include <type_traits>

#ifndef HETSPIKE_VERSION
#error "HETSPIKE_VERSION is defined by hetspike::kernels (cmake/HetspikeVersion.cmake)"
#endif

namespace hetspike {

/// Changes whenever loaded_model, loaded_neurons or what a library's entry points return change.
inline constexpr int model_interface_revision = 1;

/// "hetspike 0.1.0; model interface 1; Kokkos 3.4.1; Kokkos::Serial" (a GPU build names its host space too).
inline std::string build_signature() {
  const int v = KOKKOS_VERSION;
  std::string spaces = std::string("Kokkos::") + Kokkos::DefaultExecutionSpace::name();
  if constexpr (!std::is_same_v<Kokkos::DefaultExecutionSpace, Kokkos::DefaultHostExecutionSpace>)
    spaces += std::string(" + Kokkos::") + Kokkos::DefaultHostExecutionSpace::name();
  return std::string("hetspike ") + HETSPIKE_VERSION + "; model interface " + std::to_string(model_interface_revision) +
         "; Kokkos " + std::to_string(v / 10000) + "." + std::to_string(v / 100 % 100) + "." + std::to_string(v % 100) +
         "; " + spaces;
}

}  // namespace hetspike
