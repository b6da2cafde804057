#pragma once
// What binary wrote a checkpoint or a report: compiler, Kokkos version and default backend.
#include <string>

namespace hetspike {

std::string build_identity();

}  // namespace hetspike
