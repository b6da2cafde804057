#pragma once
// The context the distributed tests run on: MPI in the mpi build, a single local rank in the local build.
#include "runtime/distributed_context.hpp"

namespace hetspike::test {
const distributed_context& context();
}
