// The distributed suite on one process without MPI collectives (the same sources as the MPI build).
#include <gtest/gtest.h>
#include <Kokkos_Core.hpp>

#include "test_context.hpp"

namespace hetspike::test {
const distributed_context& context() {
  static const distributed_context ctx = make_local_context();
  return ctx;
}
}  // namespace hetspike::test

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  Kokkos::ScopeGuard kokkos(argc, argv);
  return RUN_ALL_TESTS();
}
