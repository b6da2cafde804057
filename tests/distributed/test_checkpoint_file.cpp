// HDF5 checkpoints on any number of ranks: write with ragged column blocks and read back with the same or another
// split; keep the newest N; a full disk and bad arguments give the same input_error on every rank; the kill hook.
// Assertions that could skip a collective are EXPECTs; ASSERTs appear only in rank-0-only code.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "checkpoint_test_support.hpp"
#include "io/checkpoint_file.hpp"
#include "partition/error.hpp"
#include "test_context.hpp"
#include "test_files.hpp"

namespace hetspike {
namespace {

namespace fs = std::filesystem;
using namespace checkpoint_testing;
using test::context;
using test::file_size_limit;
using test::shared_test_directory;

TEST(checkpoint_file, round_trips_every_type_with_the_same_and_another_column_split) {
  const shared_test_directory dir("ckpt-roundtrip");
  const fs::path file = write_test_checkpoint(dir.path(), 120);
  EXPECT_EQ(file, dir.path() / "checkpoint-000000000120.h5");
  EXPECT_EQ(file, checkpoint_path(dir.path(), 120));
  EXPECT_TRUE(fs::exists(file));
  hdf5_checkpoint_source source(context(), file);
  expect_same_header(source.header(), test_header(120), context().size());
  expect_reads_back(file, split::ragged);
  expect_reads_back(file, split::all_on_rank_0);  // what a restart on another rank count does
}

TEST(checkpoint_file, keeps_the_newest_and_leaves_no_partial_file) {
  const shared_test_directory dir("ckpt-keep");
  if (context().rank() == 0) {
    std::ofstream(dir.path() / "checkpoint-notanumber.h5") << "x";
    std::ofstream(dir.path() / "notes.txt") << "x";
  }
  hdf5_checkpoint_store store(context(), dir.path(), 2);
  auto fields = make_fields(test_shapes(), split::ragged, true);
  for (std::int64_t step : {10, 20, 30}) store.write(test_header(step), views(fields));
  context().barrier();
  const auto list = list_checkpoints(dir.path());
  EXPECT_EQ(list, (std::vector<fs::path>{checkpoint_path(dir.path(), 30), checkpoint_path(dir.path(), 20)}));
  // A checkpoint just written stays even when higher steps are there (a resume from an older one).
  store.write(test_header(5), views(fields));
  context().barrier();
  EXPECT_EQ(list_checkpoints(dir.path()),
            (std::vector<fs::path>{checkpoint_path(dir.path(), 30), checkpoint_path(dir.path(), 5)}));
  for (const auto& entry : fs::directory_iterator(dir.path()))
    EXPECT_EQ(entry.path().string().find(".partial"), std::string::npos) << entry.path();
  EXPECT_TRUE(list_checkpoints(dir.path() / "none").empty());
}

TEST(checkpoint_file, another_type_or_shape_is_an_input_error_naming_both) {
  const shared_test_directory dir("ckpt-shape");
  const fs::path file = write_test_checkpoint(dir.path(), 3);
  auto fields = make_fields(test_shapes(), split::ragged, false);
  auto wrong_shape = views(fields);
  wrong_shape[1].rows = 4;
  expect_input_error_everywhere([&] { hdf5_checkpoint_source(context(), file).read(wrong_shape); },
                                {file.string(), "/state/populations/P0/input/0", "[3, 37]", "[4, 37]"});
  auto wrong_type = views(fields);
  wrong_type[0].type = field_type::i64;
  expect_input_error_everywhere([&] { hdf5_checkpoint_source(context(), file).read(wrong_type); },
                                {file.string(), "/state/populations/P0/one_row", "f64", "i64"});
}

TEST(checkpoint_file, a_full_disk_fails_on_every_rank_and_keeps_the_earlier_checkpoint) {
  const shared_test_directory dir("ckpt-full");
  hdf5_checkpoint_store store(context(), dir.path(), 1);
  auto fields = make_fields(test_shapes(), split::ragged, true);
  const fs::path earlier = store.write(test_header(10), views(fields));
  {
    const file_size_limit limit(1 << 20);  // the checkpoint is about 2.5 MB
    expect_input_error_everywhere(
        [&] { store.write(test_header(20), views(fields)); },
        {(dir.path() / "checkpoint-000000000020.h5").string(), "cannot write", "earlier checkpoints are untouched"});
  }
  context().barrier();
  EXPECT_EQ(list_checkpoints(dir.path()), std::vector<fs::path>{earlier});
  for (const auto& entry : fs::directory_iterator(dir.path()))
    EXPECT_EQ(entry.path().string().find(".partial"), std::string::npos) << entry.path();
  expect_reads_back(earlier, split::ragged);
  // And the store still works once there is room again.
  EXPECT_NO_THROW(store.write(test_header(30), views(fields)));
}

TEST(checkpoint_file, bad_directory_keep_or_hook_is_an_input_error_on_every_rank) {
  const shared_test_directory dir("ckpt-args");
  // /proc refuses new directories even to root, which a permission bit would not.
  expect_input_error_everywhere([] { hdf5_checkpoint_store(context(), "/proc/hetspike-checkpoints", 2); },
                                {"/proc/hetspike-checkpoints"});
  expect_input_error_everywhere([&] { hdf5_checkpoint_store(context(), dir.path(), 0); }, {"keep"});
  setenv("HETSPIKE_KILL_DURING_CHECKPOINT", "one:two", 1);
  expect_input_error_everywhere([&] { hdf5_checkpoint_store(context(), dir.path(), 2); },
                                {"HETSPIKE_KILL_DURING_CHECKPOINT"});
  unsetenv("HETSPIKE_KILL_DURING_CHECKPOINT");
  // Column blocks that do not add up are our bug, found on every rank.
  hdf5_checkpoint_store store(context(), dir.path(), 2);
  auto fields = make_fields(test_shapes(), split::ragged, true);
  auto broken = views(fields);
  broken[0].global_columns += 1;
  broken[0].first_column = 0;
  EXPECT_THROW(store.write(test_header(1), broken), internal_error);
  EXPECT_TRUE(list_checkpoints(dir.path()).empty());
}

TEST(checkpoint_file, the_kill_hook_leaves_a_partial_file_and_the_earlier_checkpoint) {
  if (context().name() != "local") GTEST_SKIP() << "fork() under MPI is not safe; the local build covers this";
  const shared_test_directory dir("ckpt-kill");
  const fs::path earlier = write_test_checkpoint(dir.path(), 10);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    setenv("HETSPIKE_KILL_DURING_CHECKPOINT", "0:2", 1);
    hdf5_checkpoint_store store(make_local_context(), dir.path(), 1);
    auto fields = make_fields(test_shapes(), split::ragged, true);
    store.write(test_header(20), views(fields));  // the first: completes, and removes step 10 (keep = 1)
    store.write(test_header(30), views(fields));  // the second: killed half-way
    std::_Exit(0);
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << status;
  EXPECT_EQ(list_checkpoints(dir.path()), std::vector<fs::path>{checkpoint_path(dir.path(), 20)});
  EXPECT_TRUE(fs::exists(dir.path() / ".checkpoint-000000000030.h5.partial"));
  EXPECT_FALSE(fs::exists(earlier));
  expect_reads_back(checkpoint_path(dir.path(), 20), split::ragged);
  // A new store (a restarted run) clears the partial file away.
  hdf5_checkpoint_store restarted(context(), dir.path(), 1);
  EXPECT_FALSE(fs::exists(dir.path() / ".checkpoint-000000000030.h5.partial"));
}

}  // namespace
}  // namespace hetspike
