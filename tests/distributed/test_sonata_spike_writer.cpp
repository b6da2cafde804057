// The SONATA spike writer on any number of ranks: every rank writes its own gids over several write() calls,
// then rank 0 reads the file back with the plain HDF5 C API and checks it spike by spike.
// Assertions that could skip a collective are EXPECTs; ASSERTs appear only in rank-0-only reading code.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "io/hdf5_handle.hpp"
#include "io/sonata_spike_writer.hpp"
#include "partition/error.hpp"
#include "test_context.hpp"

namespace hetspike {
namespace {

namespace fs = std::filesystem;
using test::context;

constexpr double dt = 0.1;

/// A fresh directory shared by all ranks (rank 0 names and creates it); removed when the test ends.
class shared_test_directory {
 public:
  explicit shared_test_directory(const std::string& tag) {
    std::string name;
    if (context().rank() == 0) {
      std::random_device rd;
      name = (fs::temp_directory_path() / ("hetspike-" + tag + "-" + std::to_string(rd()))).string();
      fs::create_directories(name);
    }
    path_ = context().broadcast(name);
  }
  ~shared_test_directory() {
    context().barrier();  // every rank is done with the files
    std::error_code ignored;
    if (context().rank() == 0) fs::remove_all(path_, ignored);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

/// Populations with a gap in the gids (60..99 belong to nobody) and one that never spikes.
std::vector<sonata_population> test_populations() {
  return {{"E", 0, 40}, {"I", 40, 20}, {"silent", 60, 0}, {"X", 100, 5}};
}

/// What `rank` of `size` ranks writes in call `call`: its own gids (round robin), a deterministic pattern, sorted
/// by step then gid. In call 1 only rank 0 writes (the others have nothing); call 2 is empty everywhere.
std::vector<recorded_spike> spikes_of(int rank, int size, int call) {
  std::vector<recorded_spike> out;
  if (call == 2 || (call == 1 && rank != 0)) return out;
  const step_type first_step = 10 * call;
  for (step_type s = first_step; s < first_step + 10; ++s) {
    for (gid_type g = static_cast<gid_type>(rank); g < 105; g += static_cast<gid_type>(size)) {
      const bool in_population = g < 60 || g >= 100;
      if (in_population && (g * 7 + static_cast<gid_type>(s) * 3) % 5 == 0) out.push_back({g, s});
    }
  }
  return out;
}

using spike_pair = std::pair<std::uint64_t, double>;  // (population-local node id, time in ms)

/// (step + 1) * dt as the double nearest the decimal value: with dt = 0.1 ms, step 2 is 0.3 ms exactly as NEST
/// writes it, not 3 * 0.1 = 0.30000000000000004.
double expected_time_ms(step_type step) { return static_cast<double>(step + 1) / 10.0; }

/// The (node id, time) pairs the file must hold per population, over all ranks and calls.
std::vector<std::vector<spike_pair>> expected_spikes(int size, int calls) {
  const auto pops = test_populations();
  std::vector<std::vector<spike_pair>> expected(pops.size());
  for (int call = 0; call < calls; ++call)
    for (int r = 0; r < size; ++r)
      for (const auto& s : spikes_of(r, size, call))
        for (std::size_t p = 0; p < pops.size(); ++p)
          if (s.gid >= pops[p].first_gid && s.gid - pops[p].first_gid < pops[p].size)
            expected[p].emplace_back(s.gid - pops[p].first_gid, expected_time_ms(s.step));
  for (auto& e : expected) std::sort(e.begin(), e.end());
  return expected;
}

// ---- reading back (rank 0 only, serial HDF5 after close) ----

template <class T>
std::vector<T> read_1d(hid_t file, const std::string& path, hid_t mem_type) {
  h5_dataset ds(H5Dopen2(file, path.c_str(), H5P_DEFAULT));
  EXPECT_TRUE(ds) << path;
  if (!ds) return {};
  h5_dataspace space(H5Dget_space(ds.get()));
  EXPECT_EQ(H5Sget_simple_extent_ndims(space.get()), 1) << path;
  hsize_t n = 0;
  H5Sget_simple_extent_dims(space.get(), &n, nullptr);
  std::vector<T> values(n);
  if (n > 0) {
    EXPECT_GE(H5Dread(ds.get(), mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()), 0) << path;
  }
  return values;
}

std::string read_string_attribute(hid_t object, const char* name) {
  h5_attribute attr(H5Aopen(object, name, H5P_DEFAULT));
  if (!attr) return "<missing>";
  h5_datatype type(H5Tcopy(H5T_C_S1));
  H5Tset_size(type.get(), H5T_VARIABLE);
  H5Tset_cset(type.get(), H5T_CSET_UTF8);
  char* text = nullptr;
  if (H5Aread(attr.get(), type.get(), &text) < 0 || text == nullptr) return "<unreadable>";
  std::string value(text);
  H5free_memory(text);
  return value;
}

/// The name of the enum value of `sorting` on the population group.
std::string read_sorting(hid_t group) {
  h5_attribute attr(H5Aopen(group, "sorting", H5P_DEFAULT));
  if (!attr) return "<missing>";
  h5_datatype type(H5Aget_type(attr.get()));
  if (H5Tget_class(type.get()) != H5T_ENUM) return "<not an enum>";
  std::int8_t value = -1;
  h5_datatype native(H5Tget_native_type(type.get(), H5T_DIR_ASCEND));
  if (H5Tget_size(native.get()) != 1 || H5Aread(attr.get(), native.get(), &value) < 0) return "<unreadable>";
  char name[32] = {};
  if (H5Tenum_nameof(type.get(), &value, name, sizeof name) < 0) return "<no name>";
  return name;
}

std::uint32_t read_magic(hid_t file) {
  h5_attribute attr(H5Aopen(file, "magic", H5P_DEFAULT));
  std::uint32_t magic = 0;
  if (attr) H5Aread(attr.get(), H5T_NATIVE_UINT32, &magic);
  return magic;
}

void check_file_contents(const fs::path& path, const std::vector<std::vector<spike_pair>>& expected) {
  h5_file file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT));
  ASSERT_TRUE(file) << path;
  EXPECT_EQ(read_magic(file.get()), 0x0A7Au);
  const auto pops = test_populations();
  for (std::size_t p = 0; p < pops.size(); ++p) {
    const std::string where = "/spikes/" + pops[p].name;
    h5_group group(H5Gopen2(file.get(), where.c_str(), H5P_DEFAULT));
    ASSERT_TRUE(group) << where;
    EXPECT_EQ(read_sorting(group.get()), "none") << where;
    h5_dataset ts(H5Dopen2(group.get(), "timestamps", H5P_DEFAULT));
    ASSERT_TRUE(ts) << where;
    EXPECT_EQ(read_string_attribute(ts.get(), "units"), "ms") << where;
    const auto ids = read_1d<std::uint64_t>(file.get(), where + "/node_ids", H5T_NATIVE_UINT64);
    const auto times = read_1d<double>(file.get(), where + "/timestamps", H5T_NATIVE_DOUBLE);
    ASSERT_EQ(ids.size(), times.size()) << where;
    std::vector<spike_pair> got;
    for (std::size_t i = 0; i < ids.size(); ++i) got.emplace_back(ids[i], times[i]);
    std::sort(got.begin(), got.end());
    EXPECT_EQ(got, expected[p]) << where;  // exact, times included
  }
}

fs::path partial_of(const fs::path& p) { return fs::path(p.string() + ".partial"); }

// ---- tests ----

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
