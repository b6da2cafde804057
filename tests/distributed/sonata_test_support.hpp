#pragma once
// What the spike-file tests share: populations with a gap and a silent one, each rank's spikes per write() call,
// the spikes the file must then hold, and rank 0's serial reading of the file with the plain HDF5 C API.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "io/hdf5_handle.hpp"
#include "io/sonata_spike_writer.hpp"

namespace hetspike::sonata_testing {

namespace fs = std::filesystem;

inline constexpr double dt = 0.1;

/// Populations with a gap in the gids (60..99 belong to nobody) and one that never spikes.
inline std::vector<sonata_population> test_populations() {
  return {{"E", 0, 40}, {"I", 40, 20}, {"silent", 60, 0}, {"X", 100, 5}};
}

/// What `rank` of `size` ranks writes in call `call`: its own gids (round robin), a deterministic pattern, sorted
/// by step then gid. In call 1 only rank 0 writes (the others have nothing); call 2 is empty everywhere.
inline std::vector<recorded_spike> spikes_of(int rank, int size, int call) {
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
inline double expected_time_ms(step_type step) { return static_cast<double>(step + 1) / 10.0; }

/// The (node id, time) pairs the file must hold per population, over all ranks and the given calls.
inline std::vector<std::vector<spike_pair>> expected_spikes_of_calls(int size, const std::vector<int>& calls) {
  const auto pops = test_populations();
  std::vector<std::vector<spike_pair>> expected(pops.size());
  for (int call : calls)
    for (int r = 0; r < size; ++r)
      for (const auto& s : spikes_of(r, size, call))
        for (std::size_t p = 0; p < pops.size(); ++p)
          if (s.gid >= pops[p].first_gid && s.gid - pops[p].first_gid < pops[p].size)
            expected[p].emplace_back(s.gid - pops[p].first_gid, expected_time_ms(s.step));
  for (auto& e : expected) std::sort(e.begin(), e.end());
  return expected;
}

/// Over calls 0 .. calls - 1.
inline std::vector<std::vector<spike_pair>> expected_spikes(int size, int calls) {
  std::vector<int> all(static_cast<std::size_t>(calls));
  for (int call = 0; call < calls; ++call) all[static_cast<std::size_t>(call)] = call;
  return expected_spikes_of_calls(size, all);
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

inline std::string read_string_attribute(hid_t object, const char* name) {
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
inline std::string read_sorting(hid_t group) {
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

inline std::uint32_t read_magic(hid_t file) {
  h5_attribute attr(H5Aopen(file, "magic", H5P_DEFAULT));
  std::uint32_t magic = 0;
  if (attr) H5Aread(attr.get(), H5T_NATIVE_UINT32, &magic);
  return magic;
}

inline void check_file_contents(const fs::path& path, const std::vector<std::vector<spike_pair>>& expected) {
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

inline fs::path partial_of(const fs::path& p) { return fs::path(p.string() + ".partial"); }

}  // namespace hetspike::sonata_testing
