// The SONATA spike writer on any number of ranks: every rank writes its own gids over several write() calls,
// then rank 0 reads the file back with the plain HDF5 C API and checks it spike by spike.
// Assertions that could skip a collective are EXPECTs; ASSERTs appear only in rank-0-only reading code.
#include <gtest/gtest.h>

#include <algorithm>
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

TEST(sonata_spike_writer, round_trips_every_rank_spikes_over_several_writes) {
  const auto& ctx = context();
  const shared_test_directory dir("sonata-roundtrip");
  const fs::path path = dir.path() / "spikes.h5";
  constexpr int calls = 4;
  {
    sonata_spike_writer writer(ctx, path, test_populations(), dt);
    for (int call = 0; call < calls; ++call) {
      const auto mine = spikes_of(ctx.rank(), ctx.size(), call);
      writer.write(mine);
    }
    writer.close();
    const auto expected = expected_spikes(ctx.size(), calls);
    const auto counts = writer.counts();
    ASSERT_EQ(counts.size(), expected.size());
    for (std::size_t p = 0; p < counts.size(); ++p) EXPECT_EQ(counts[p], expected[p].size()) << p;
    EXPECT_EQ(counts[2], 0u);  // "silent"
    EXPECT_GT(counts[0], 0u);
    EXPECT_GT(counts[3], 0u);
    EXPECT_EQ(writer.path(), path);
  }
  if (ctx.rank() == 0) {
    EXPECT_TRUE(fs::exists(path));
    EXPECT_FALSE(fs::exists(partial_of(path)));
    const auto expected = expected_spikes(ctx.size(), calls);
    // Gid 2 fires in step 2: the file must say 0.3 ms, the literal, as NEST would.
    EXPECT_TRUE(std::binary_search(expected[0].begin(), expected[0].end(), spike_pair{2, 0.3}));
    check_file_contents(path, expected);
  }
}

TEST(sonata_spike_writer, replaces_an_existing_file_only_at_close) {
  const auto& ctx = context();
  const shared_test_directory dir("sonata-replace");
  const fs::path path = dir.path() / "spikes.h5";
  if (ctx.rank() == 0) std::ofstream(path) << "old results";
  ctx.barrier();
  sonata_spike_writer writer(ctx, path, test_populations(), dt);
  writer.write(spikes_of(ctx.rank(), ctx.size(), 0));
  ctx.barrier();
  if (ctx.rank() == 0) {
    EXPECT_TRUE(fs::exists(partial_of(path)));  // its superblock may still be in HDF5's cache
    std::ifstream in(path);
    const std::string old((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_EQ(old, "old results");
  }
  ctx.barrier();
  writer.close();
  writer.close();  // a second close does nothing
  // Every rank, not only rank 0, sees the final file once close() returns.
  EXPECT_TRUE(fs::exists(path));
  EXPECT_GT(H5Fis_hdf5(path.c_str()), 0);
  EXPECT_FALSE(fs::exists(partial_of(path)));
  EXPECT_THROW(writer.write({}), internal_error);
}

TEST(sonata_spike_writer, leaves_nothing_when_destroyed_without_close) {
  const auto& ctx = context();
  const shared_test_directory dir("sonata-abandon");
  const fs::path path = dir.path() / "spikes.h5";
  {
    sonata_spike_writer writer(ctx, path, test_populations(), dt);
    writer.write(spikes_of(ctx.rank(), ctx.size(), 0));
  }
  ctx.barrier();
  EXPECT_FALSE(fs::exists(path));
  EXPECT_FALSE(fs::exists(partial_of(path)));
  ctx.barrier();  // every rank has looked before the next writer creates the partial file again

  // The same while an exception unwinds on every rank (the writer must not close collectively then).
  struct run_failed {};
  EXPECT_THROW(
      {
        sonata_spike_writer writer(ctx, path, test_populations(), dt);
        writer.write(spikes_of(ctx.rank(), ctx.size(), 3));
        throw run_failed{};
      },
      run_failed);
  ctx.barrier();
  EXPECT_FALSE(fs::exists(path));
  EXPECT_FALSE(fs::exists(partial_of(path)));
}

TEST(sonata_spike_writer, discard_removes_the_partial_file) {
  const auto& ctx = context();
  const shared_test_directory dir("sonata-discard");
  const fs::path path = dir.path() / "spikes.h5";
  sonata_spike_writer writer(ctx, path, test_populations(), dt);
  writer.write(spikes_of(ctx.rank(), ctx.size(), 0));
  writer.discard();
  EXPECT_FALSE(fs::exists(path));
  EXPECT_FALSE(fs::exists(partial_of(path)));
  writer.close();  // after discard, close does nothing
  EXPECT_FALSE(fs::exists(path));
}

TEST(sonata_spike_writer, unwritable_path_is_an_input_error_on_every_rank) {
  const auto& ctx = context();
  const shared_test_directory dir("sonata-unwritable");
  const fs::path missing_dir = dir.path() / "no" / "such" / "dir" / "spikes.h5";
  EXPECT_THROW(sonata_spike_writer(ctx, missing_dir, test_populations(), dt), input_error);
  const fs::path is_a_directory = dir.path();
  EXPECT_THROW(sonata_spike_writer(ctx, is_a_directory, test_populations(), dt), input_error);
  // /proc refuses new files even to root, which a permission bit would not.
  EXPECT_THROW(sonata_spike_writer(ctx, "/proc/hetspike-spikes.h5", test_populations(), dt), input_error);
  try {
    sonata_spike_writer writer(ctx, missing_dir, test_populations(), dt);
  } catch (const input_error& e) {
    EXPECT_NE(std::string(e.what()).find(missing_dir.string()), std::string::npos) << e.what();
  }
  ctx.barrier();
  if (ctx.rank() == 0) {
    EXPECT_TRUE(fs::is_empty(dir.path()));
  }
}

TEST(sonata_spike_writer, gid_outside_every_population_is_an_internal_error_on_every_rank) {
  const auto& ctx = context();
  const shared_test_directory dir("sonata-stray");
  const fs::path path = dir.path() / "spikes.h5";
  sonata_spike_writer writer(ctx, path, test_populations(), dt);
  std::vector<recorded_spike> mine = spikes_of(ctx.rank(), ctx.size(), 0);
  if (ctx.rank() == ctx.size() - 1) mine.push_back({77, 3});  // in the gap between "I" and "X"
  EXPECT_THROW(writer.write(mine), internal_error);
  // Nothing was written, and the writer is still usable collectively.
  EXPECT_EQ(writer.counts(), std::vector<std::uint64_t>(4, 0));
  writer.discard();
}

TEST(sonata_spike_writer, rejects_bad_population_lists) {
  const auto& ctx = context();
  const shared_test_directory dir("sonata-badpops");
  const fs::path path = dir.path() / "spikes.h5";
  EXPECT_THROW(sonata_spike_writer(ctx, path, {{"E", 0, 10}, {"E", 10, 10}}, dt), input_error);
  EXPECT_THROW(sonata_spike_writer(ctx, path, {{"a/b", 0, 10}}, dt), input_error);
  EXPECT_THROW(sonata_spike_writer(ctx, path, {{"E", 0, 10}, {"I", 5, 10}}, dt), internal_error);
  EXPECT_THROW(sonata_spike_writer(ctx, path, test_populations(), 0.0), internal_error);
}

TEST(sonata_spike_writer, a_full_disk_fails_on_every_rank_without_hanging) {
  const auto& ctx = context();
  const shared_test_directory dir("sonata-full");
  const fs::path path = dir.path() / "spikes.h5";
  {
    const test::file_size_limit limit(256 << 10);  // below the room the first append reserves
    sonata_spike_writer writer(ctx, path, test_populations(), dt);
    std::string message;
    try {
      writer.write(spikes_of(ctx.rank(), ctx.size(), 0));
      ADD_FAILURE() << "expected input_error";
    } catch (const input_error& e) {
      message = e.what();
    }
    EXPECT_NE(message.find(path.string()), std::string::npos) << message;
    EXPECT_EQ(ctx.broadcast(message), message) << "ranks disagree";
    writer.discard();  // still collective, and the close succeeds with the disk still full
  }
  ctx.barrier();
  EXPECT_FALSE(fs::exists(path));
  EXPECT_FALSE(fs::exists(partial_of(path)));
}

TEST(hdf5_checker, names_the_file_the_call_and_hdf5s_reason_quietly) {
  H5E_auto2_t before = nullptr;
  void* before_data = nullptr;
  H5Eget_auto2(H5E_DEFAULT, &before, &before_data);
  {
    const hdf5_quiet_scope quiet;
    H5E_auto2_t inside = before;
    void* inside_data = nullptr;
    H5Eget_auto2(H5E_DEFAULT, &inside, &inside_data);
    EXPECT_EQ(inside, nullptr);  // nothing printed to stderr while quiet
    const hdf5_checker check("/no/such/file.h5");
    try {
      check(H5Fopen("/no/such/file.h5", H5F_ACC_RDONLY, H5P_DEFAULT), "H5Fopen");
      ADD_FAILURE() << "expected hdf5_error";
    } catch (const hdf5_error& e) {
      const std::string what = e.what();
      EXPECT_NE(what.find("/no/such/file.h5"), std::string::npos) << what;
      EXPECT_NE(what.find("H5Fopen"), std::string::npos) << what;
      EXPECT_NE(what.find("No such file"), std::string::npos) << what;  // the OS reason from HDF5's stack
    }
  }
  H5E_auto2_t after = nullptr;
  void* after_data = nullptr;
  H5Eget_auto2(H5E_DEFAULT, &after, &after_data);
  EXPECT_EQ(after, before);  // the previous handler is back
  EXPECT_EQ(after_data, before_data);
}

}  // namespace
}  // namespace hetspike
