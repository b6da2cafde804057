// The SONATA state writer on any number of ranks: every rank writes its own block of each report's nodes over
// several write() calls, then rank 0 reads the files back with the plain HDF5 C API and checks them value by value;
// a resumed writer continues the files of the run it resumes.
// Assertions that could skip a collective are EXPECTs; ASSERTs appear only in rank-0-only reading code.
#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "io/hdf5_handle.hpp"
#include "io/output_path.hpp"
#include "io/sonata_state_writer.hpp"
#include "sonata_test_support.hpp"
#include "test_context.hpp"
#include "test_files.hpp"

namespace hetspike {
namespace {

namespace fs = std::filesystem;
using sonata_testing::read_1d;
using sonata_testing::read_string_attribute;
using test::context;
using test::shared_test_directory;

constexpr double dt = 0.1;

/// Two variables over two populations; one report in float32. E's V_m is sampled every 2 steps from boundary 3.
std::vector<state_report> test_reports() {
  return {{"E", 0, "V_m", "mV", 10, 3, 2, state_precision::float64},
          {"I", 1, "V_m", "mV", 7, 1, 1, state_precision::float32},
          {"E", 0, "I_syn_ex", "pA", 10, 3, 2, state_precision::float64}};
}

/// The value of report r's node at sample k (exact in float32 too).
double value_of(std::size_t r, std::uint64_t sample, std::uint64_t node) {
  return -70.0 + static_cast<double>(r) * 1000.0 + static_cast<double>(sample) + static_cast<double>(node) / 16.0;
}

/// This rank's contiguous block of `nodes` (as the partition gives each rank a block of every population).
std::pair<std::uint64_t, std::uint64_t> block_of(std::uint64_t nodes, int rank, int size) {
  const auto first = nodes * static_cast<std::uint64_t>(rank) / static_cast<std::uint64_t>(size);
  const auto end = nodes * static_cast<std::uint64_t>(rank + 1) / static_cast<std::uint64_t>(size);
  return {first, end - first};
}

/// Writes samples first[r], first[r] + 1, ... of every report r, `rows` of them, each rank its own block.
void write_samples(sonata_state_writer& writer, const std::vector<std::uint64_t>& first, std::uint64_t rows) {
  const auto& ctx = context();
  const auto reports = test_reports();
  std::vector<std::vector<double>> values(reports.size());
  std::vector<state_block> blocks;
  for (std::size_t r = 0; r < reports.size(); ++r) {
    const auto [from, count] = block_of(reports[r].nodes, ctx.rank(), ctx.size());
    for (std::uint64_t s = first[r]; s < first[r] + rows; ++s)
      for (std::uint64_t i = from; i < from + count; ++i) values[r].push_back(value_of(r, s, i));
    blocks.push_back({rows, from, count, values[r].data()});
  }
  writer.write(blocks);
}

/// Samples [from, to) of every report, `rows` per write().
void write_samples(sonata_state_writer& writer, std::uint64_t from, std::uint64_t to, std::uint64_t rows) {
  for (std::uint64_t k = from; k < to; k += rows)
    write_samples(writer, std::vector<std::uint64_t>(test_reports().size(), k), std::min(rows, to - k));
}

/// What a file must hold of report `report`: samples [first_row, first_row + rows).
struct expected_report {
  std::size_t report;
  std::uint64_t first_row, rows;
};

/// Rank 0: the file holds exactly the expected reports' samples, with their mapping.
void check_file(const fs::path& path, const std::vector<expected_report>& expected) {
  h5_file file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT));
  ASSERT_TRUE(file) << path;
  EXPECT_EQ(sonata_testing::read_magic(file.get()), 0x0A7Au);
  h5_group all(H5Gopen2(file.get(), "/report", H5P_DEFAULT));
  H5G_info_t info{};
  H5Gget_info(all.get(), &info);
  EXPECT_EQ(info.nlinks, expected.size()) << path;
  const auto reports = test_reports();
  for (const auto& [r, first_row, rows] : expected) {
    const auto& report = reports[r];
    const std::string where = "/report/" + report.population;
    const auto ids = read_1d<std::uint64_t>(file.get(), where + "/mapping/node_ids", H5T_NATIVE_UINT64);
    const auto pointers = read_1d<std::uint64_t>(file.get(), where + "/mapping/index_pointers", H5T_NATIVE_UINT64);
    const auto elements = read_1d<std::uint32_t>(file.get(), where + "/mapping/element_ids", H5T_NATIVE_UINT32);
    ASSERT_EQ(ids.size(), report.nodes) << where;
    ASSERT_EQ(pointers.size(), report.nodes + 1) << where;
    ASSERT_EQ(elements.size(), report.nodes) << where;
    for (std::uint64_t i = 0; i < report.nodes; ++i) EXPECT_EQ(ids[i], i) << where;
    EXPECT_EQ(pointers.back(), report.nodes) << where;
    const auto time = read_1d<double>(file.get(), where + "/mapping/time", H5T_NATIVE_DOUBLE);
    const double interval = static_cast<double>(report.every) / 10.0;
    const double start = static_cast<double>(report.sample_boundary(first_row)) / 10.0;
    const double stop = static_cast<double>(report.sample_boundary(first_row + rows)) / 10.0;
    EXPECT_EQ(time, (std::vector<double>{start, stop, interval})) << where;
    h5_dataset data(H5Dopen2(file.get(), (where + "/data").c_str(), H5P_DEFAULT));
    ASSERT_TRUE(data) << where;
    EXPECT_EQ(read_string_attribute(data.get(), "units"), report.unit) << where;
    h5_datatype type(H5Dget_type(data.get()));
    EXPECT_EQ(H5Tget_size(type.get()), report.precision == state_precision::float32 ? 4u : 8u) << where;
    h5_dataspace space(H5Dget_space(data.get()));
    std::array<hsize_t, 2> dims{};
    H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr);
    ASSERT_EQ(dims[0], rows) << where;
    ASSERT_EQ(dims[1], report.nodes) << where;
    std::vector<double> values(rows * report.nodes);
    if (!values.empty()) H5Dread(data.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data());
    for (std::uint64_t k = 0; k < rows; ++k)
      for (std::uint64_t i = 0; i < report.nodes; ++i)
        EXPECT_EQ(values[k * report.nodes + i], value_of(r, first_row + k, i)) << where << " row " << k;
  }
}

TEST(sonata_state_writer, round_trips_every_rank_columns_one_file_per_variable) {
  const auto& ctx = context();
  const shared_test_directory dir("state-roundtrip");
  {
    sonata_state_writer writer(ctx, dir.path(), test_reports(), dt, "run-a");
    EXPECT_EQ(writer.paths(), (std::vector<fs::path>{dir.path() / "state_V_m.h5", dir.path() / "state_I_syn_ex.h5"}));
    write_samples(writer, 0, 9, 4);
    if (ctx.rank() == 0) {
      EXPECT_FALSE(fs::exists(dir.path() / "state_V_m.h5"));  // only under the partial name
    }
    writer.close();
    writer.close();  // a second close does nothing
  }
  EXPECT_TRUE(fs::exists(dir.path() / "state_V_m.h5"));  // on every rank once close() returned
  if (ctx.rank() == 0) {
    EXPECT_FALSE(fs::exists(partial_path_of(dir.path() / "state_V_m.h5")));
    check_file(dir.path() / "state_V_m.h5", {{0, 0, 9}, {1, 0, 9}});
    check_file(dir.path() / "state_I_syn_ex.h5", {{2, 0, 9}});
  }
}

TEST(sonata_state_writer, a_resumed_run_continues_each_file_that_holds_its_checkpoint) {
  const auto& ctx = context();
  const shared_test_directory dir("state-resume");
  const auto reports = test_reports();
  // A run that wrote 7 samples of every report and synced (a checkpoint may name them), wrote 3 more, and died.
  {
    sonata_state_writer writer(ctx, dir.path(), reports, dt, "run-a");
    write_samples(writer, 0, 7, 3);
    writer.sync();
    write_samples(writer, 7, 10, 3);
  }  // destroyed without close(): the synced partial files stay for the resume
  if (ctx.rank() == 0) {
    EXPECT_TRUE(fs::exists(partial_path_of(dir.path() / "state_V_m.h5")));
  }
  // Its checkpoint at boundary 15 had 7 samples of E's reports (boundaries 3, 5, ..., 15) but 15 of I's (every
  // step from 1), more than that file holds: state_I_syn_ex.h5 is continued, state_V_m.h5 started anew.
  {
    sonata_state_writer writer(ctx, dir.path(), reports, dt, "run-a", state_file_resume{15, "run-a"});
    const std::string problem = writer.resume_problem();
    EXPECT_NE(problem.find("state_V_m.h5"), std::string::npos) << problem;
    EXPECT_NE(problem.find("/report/I holds 10 samples, fewer than the checkpoint's 15"), std::string::npos) << problem;
    EXPECT_EQ(problem.find("state_I_syn_ex"), std::string::npos) << problem;
    write_samples(writer, {7, 15, 7}, 3);
    writer.close();
  }
  if (ctx.rank() == 0) {
    check_file(dir.path() / "state_I_syn_ex.h5", {{2, 0, 10}});
    check_file(dir.path() / "state_V_m.h5", {{0, 7, 3}, {1, 15, 3}});
  }
  // Another run's files are not continued.
  {
    sonata_state_writer writer(ctx, dir.path(), {reports[2]}, dt, "run-b", state_file_resume{15, "run-b"});
    EXPECT_NE(writer.resume_problem().find("belongs to run run-a, not run-b"), std::string::npos)
        << writer.resume_problem();
    writer.close();
  }
  if (ctx.rank() == 0) check_file(dir.path() / "state_I_syn_ex.h5", {{2, 7, 0}});
}

}  // namespace
}  // namespace hetspike
