// The distributed suite under mpiexec. Rank 0 prints gtest's report; every other rank prints only its own
// failures. All ranks return the same exit code: the worst over ranks, so one failing rank fails the test.
#include <gtest/gtest.h>
#include <Kokkos_Core.hpp>

#include <iostream>
#include <optional>

#include "runtime/mpi_context.hpp"
#include "test_context.hpp"

namespace hetspike::test {
namespace {
std::optional<distributed_context> the_context;
}
const distributed_context& context() { return *the_context; }
}  // namespace hetspike::test

namespace {
/// Prints only failures, prefixed with the rank, for ranks other than 0.
class failure_printer : public ::testing::EmptyTestEventListener {
 public:
  explicit failure_printer(int rank) : rank_(rank) {}
  void OnTestPartResult(const ::testing::TestPartResult& r) override {
    if (r.failed())
      std::cerr << "[rank " << rank_ << "] " << (r.file_name() ? r.file_name() : "") << ":" << r.line_number() << ": "
                << r.summary() << "\n";
  }

 private:
  int rank_;
};
}  // namespace

int main(int argc, char** argv) {
  hetspike::mpi_environment mpi(argc, argv);
  ::testing::InitGoogleTest(&argc, argv);
  hetspike::test::the_context.emplace(hetspike::make_mpi_context());
  const auto& ctx = *hetspike::test::the_context;
  if (ctx.rank() != 0) {
    auto& listeners = ::testing::UnitTest::GetInstance()->listeners();
    delete listeners.Release(listeners.default_result_printer());
    listeners.Append(new failure_printer(ctx.rank()));
  }
  std::int64_t worst = 0;
  {
    Kokkos::ScopeGuard kokkos(argc, argv);
    worst = ctx.max(static_cast<std::int64_t>(RUN_ALL_TESTS()));
  }
  hetspike::test::the_context.reset();
  return static_cast<int>(worst);
}
