// Continuing a SONATA spike file across restarts: a resumed run appends to the file of the run it continues
// (its partial file, or its final one), cut back to the checkpoint's positions, or starts anew when none fits.
// Assertions that could skip a collective are EXPECTs; ASSERTs appear only in rank-0-only code.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "io/hdf5_handle.hpp"
#include "io/sonata_spike_writer.hpp"
#include "partition/error.hpp"
#include "sonata_test_support.hpp"
#include "test_context.hpp"
#include "test_files.hpp"

namespace hetspike {
namespace {

namespace fs = std::filesystem;
using namespace sonata_testing;
using test::context;
using test::shared_test_directory;

/// A run up to a checkpoint: calls 0 and 1, then sync() and the positions the checkpoint would record, then
/// call 3 (spikes after the checkpoint, which the resumed run simulates again). With `finish`, the run closes
/// the file (it ended, or stopped at the checkpoint); otherwise the writer goes away without close(), as in a
/// run that failed after the checkpoint: the partial file stays.
std::vector<std::uint64_t> run_until_after_checkpoint(const fs::path& path, const std::string& run_id, bool finish) {
  const auto& ctx = context();
  sonata_spike_writer writer(ctx, path, test_populations(), dt, run_id);
  writer.write(spikes_of(ctx.rank(), ctx.size(), 0));
  writer.write(spikes_of(ctx.rank(), ctx.size(), 1));
  writer.sync();
  const auto positions = writer.positions();
  EXPECT_EQ(positions, writer.counts());
  writer.write(spikes_of(ctx.rank(), ctx.size(), 3));
  if (finish) writer.close();
  return positions;
}

/// The resumed run: continues from `positions` (of `resume_id`'s run) as run `run_id`, writes call 4, closes.
bool resume_and_finish(const fs::path& path, const std::string& run_id, const std::string& resume_id,
                       const std::vector<std::uint64_t>& positions) {
  const auto& ctx = context();
  sonata_spike_writer writer(ctx, path, test_populations(), dt, run_id, spike_file_resume{positions, resume_id});
  const bool continued = writer.continued();
  EXPECT_EQ(ctx.broadcast(std::to_string(continued)), std::to_string(continued));
  if (continued) {
    EXPECT_EQ(writer.counts(), positions);
    EXPECT_TRUE(writer.resume_problem().empty()) << writer.resume_problem();
  } else {
    EXPECT_FALSE(writer.resume_problem().empty());
    EXPECT_EQ(writer.counts(), std::vector<std::uint64_t>(positions.size(), 0));
  }
  writer.write(spikes_of(ctx.rank(), ctx.size(), 4));
  writer.close();
  return continued;
}

std::string read_run_id(const fs::path& path) {
  h5_file file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT));
  return file ? read_string_attribute(file.get(), "run_id") : "<no file>";
}

TEST(sonata_spike_writer, continues_a_partial_file_left_after_a_checkpoint) {
  const auto& ctx = context();
  const shared_test_directory dir("sonata-continue-partial");
  const fs::path path = dir.path() / "spikes.h5";
  const auto positions = run_until_after_checkpoint(path, "run-A", false);
  ctx.barrier();
  if (ctx.rank() == 0) {
    EXPECT_TRUE(fs::exists(partial_of(path)));  // kept: a checkpoint names positions in it
    EXPECT_FALSE(fs::exists(path));
  }
  ctx.barrier();
  EXPECT_TRUE(resume_and_finish(path, "run-A", "run-A", positions));
  if (ctx.rank() == 0) {
    EXPECT_FALSE(fs::exists(partial_of(path)));
    check_file_contents(path, expected_spikes_of_calls(ctx.size(), {0, 1, 4}));  // not call 3
    EXPECT_EQ(read_run_id(path), "run-A");
  }
}

TEST(sonata_spike_writer, continues_the_final_file_of_a_run_that_stopped) {
  const auto& ctx = context();
  const shared_test_directory dir("sonata-continue-final");
  const fs::path path = dir.path() / "spikes.h5";
  const auto positions = run_until_after_checkpoint(path, "run-A", true);
  {
    sonata_spike_writer writer(ctx, path, test_populations(), dt, "run-A", spike_file_resume{positions, "run-A"});
    EXPECT_TRUE(writer.continued()) << writer.resume_problem();
    ctx.barrier();
    // The final name keeps the old file, all of it, until close().
    if (ctx.rank() == 0) check_file_contents(path, expected_spikes_of_calls(ctx.size(), {0, 1, 3}));
    ctx.barrier();
    writer.write(spikes_of(ctx.rank(), ctx.size(), 4));
    writer.close();
  }
  if (ctx.rank() == 0) check_file_contents(path, expected_spikes_of_calls(ctx.size(), {0, 1, 4}));
}

TEST(sonata_spike_writer, starts_a_new_file_when_none_can_be_continued) {
  const auto& ctx = context();
  const shared_test_directory dir("sonata-continue-none");
  const fs::path path = dir.path() / "spikes.h5";
  auto positions = run_until_after_checkpoint(path, "run-A", true);
  EXPECT_FALSE(resume_and_finish(path, "run-B", "run-B", positions));  // another run's file
  if (ctx.rank() == 0) {
    check_file_contents(path, expected_spikes_of_calls(ctx.size(), {4}));
    EXPECT_EQ(read_run_id(path), "run-B");
  }
  ctx.barrier();
  positions[0] += 1000;  // more spikes than the file holds
  EXPECT_FALSE(resume_and_finish(path, "run-B", "run-B", positions));
  ctx.barrier();
  if (ctx.rank() == 0) fs::remove(path);
  ctx.barrier();
  EXPECT_FALSE(resume_and_finish(path, "run-B", "run-B", positions));  // no file at all
  EXPECT_THROW(sonata_spike_writer(ctx, path, test_populations(), dt, "run-B", spike_file_resume{{1, 2}, "run-B"}),
               internal_error);
}

TEST(sonata_spike_writer, continues_the_file_of_a_killed_process) {
  const auto& ctx = context();
  if (ctx.name() != "local") GTEST_SKIP() << "fork() under MPI is not safe; the local build covers this";
  const shared_test_directory dir("sonata-continue-killed");
  const fs::path path = dir.path() / "spikes.h5";
  const fs::path positions_file = dir.path() / "positions";
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    // The child is the killed run: no close, no destructor, HDF5's caches as they are at SIGKILL.
    auto* writer = new sonata_spike_writer(make_local_context(), path, test_populations(), dt, "run-K");
    writer->write(spikes_of(0, 1, 0));
    writer->write(spikes_of(0, 1, 1));
    writer->sync();
    std::ofstream out(positions_file);
    for (auto p : writer->positions()) out << p << "\n";
    out.close();
    writer->write(spikes_of(0, 1, 3));
    // Enough after the checkpoint that HDF5 allocates new chunks and grows its chunk index before the kill.
    std::vector<recorded_spike> many;
    for (step_type s = 100; s < 5100; ++s)
      for (gid_type g = 0; g < 40; g += 2) many.push_back({g, s});
    writer->write(many);
    std::raise(SIGKILL);
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
  std::vector<std::uint64_t> positions;
  std::ifstream in(positions_file);
  for (std::uint64_t p; in >> p;) positions.push_back(p);
  ASSERT_EQ(positions.size(), test_populations().size());
  EXPECT_TRUE(resume_and_finish(path, "run-K", "run-K", positions));
  check_file_contents(path, expected_spikes_of_calls(1, {0, 1, 4}));
}

}  // namespace
}  // namespace hetspike
