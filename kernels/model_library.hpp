#pragma once
// Neuron models from a shared library that a model file names (`libraries = ["DIR/libmymodels.so"]`): NESTML models
// generated and built apart from hetspike (cmake/HetspikeNestml.cmake, hetspike_add_nestml_library), or
// hand-written ones. A library exports two C symbols, which HETSPIKE_MODEL_LIBRARY (kernels/library_model.hpp)
// defines:
//
//   const char* hetspike_model_library_build();   the build it was compiled for (build_signature.hpp)
//   void hetspike_model_library_models(std::vector<std::unique_ptr<hetspike::loaded_model>>&);
//
// The second is called only when the first equals this hetspike's: a library built for another hetspike version,
// model interface, Kokkos or backend is refused with what differs, before any of its C++ runs.
#include <memory>
#include <string>
#include <vector>

#include "kernels/loaded_model.hpp"

namespace hetspike {

/// Why a library built for `library` cannot run in a hetspike built for `host` (build_signature() texts, fields
/// separated by "; "): each field that differs, "Kokkos 4.6.1 (this hetspike: Kokkos 3.4.1)"; empty if none.
std::string build_mismatch(const std::string& library, const std::string& host);

/// The models of the library at `path`, each keeping the library loaded while it lives. Throws
/// std::invalid_argument (a message without the path) when it cannot be opened, is not a model library, was built
/// for another build (build_mismatch) or offers no model.
std::vector<std::shared_ptr<const loaded_model>> load_model_library(const std::string& path);

}  // namespace hetspike
