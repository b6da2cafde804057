#include "runtime/build_info.hpp"

#include <Kokkos_Core.hpp>

namespace hetspike {

std::string build_identity() {
  const int v = KOKKOS_VERSION;
  return std::string("gcc-compatible ") + __VERSION__ + ", Kokkos " + std::to_string(v / 10000) + "." +
         std::to_string(v / 100 % 100) + "." + std::to_string(v % 100) + " (" + Kokkos::DefaultExecutionSpace::name() +
         ")";
}

}  // namespace hetspike
