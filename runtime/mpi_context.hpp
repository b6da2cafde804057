#pragma once
// MPI set-up and the MPI implementation of distributed_context. The only header that names MPI types;
// io/ includes it to hand the communicator to parallel HDF5.
#include <mpi.h>

#include <stdexcept>
#include <string>

#include "runtime/distributed_context.hpp"

namespace hetspike {

/// An MPI call that returned an error (the communicator is set to MPI_ERRORS_RETURN).
struct mpi_error : std::runtime_error {
  mpi_error(const std::string& call, int code);
};

/// Owns MPI for the process lifetime: initialises on construction, finalises on destruction. While an
/// exception unwinds (a rank failed mid-run) it does not finalise, since the other ranks may be inside a
/// collective; main() aborts the job instead (see apps/main.cpp).
class mpi_environment {
 public:
  mpi_environment(int& argc, char**& argv);
  ~mpi_environment();
  mpi_environment(const mpi_environment&) = delete;
  mpi_environment& operator=(const mpi_environment&) = delete;

 private:
  int uncaught_at_start_;
};

/// A context over a duplicate of MPI_COMM_WORLD.
distributed_context make_mpi_context();

/// The communicator behind a context: its own for an MPI context, MPI_COMM_SELF for a local one.
MPI_Comm mpi_communicator(const distributed_context& ctx);

}  // namespace hetspike
