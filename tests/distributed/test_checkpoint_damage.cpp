// Damaged checkpoints: truncated, a flipped byte (checksum), a deleted dataset, not HDF5, not a checkpoint;
// each is the same input_error on every rank, naming the file and the dataset. And `inspect` on good and bad files.
// Assertions that could skip a collective are EXPECTs; ASSERTs appear only in rank-0-only code.
#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "checkpoint_test_support.hpp"
#include "io/checkpoint_file.hpp"
#include "io/hdf5_handle.hpp"
#include "partition/error.hpp"
#include "test_context.hpp"
#include "test_files.hpp"

namespace hetspike {
namespace {

namespace fs = std::filesystem;
using namespace checkpoint_testing;
using test::context;
using test::shared_test_directory;

TEST(checkpoint_file, damaged_files_are_input_errors_naming_file_and_dataset_on_every_rank) {
  const shared_test_directory dir("ckpt-damaged");
  const fs::path good = write_test_checkpoint(dir.path(), 7);
  const fs::path truncated = dir.path() / "truncated.h5", flipped = dir.path() / "flipped.h5",
                 deleted = dir.path() / "deleted.h5", text = dir.path() / "text.h5",
                 foreign = dir.path() / "foreign.h5";
  if (context().rank() == 0) {
    for (const auto& copy : {truncated, flipped, deleted}) fs::copy_file(good, copy);
    fs::resize_file(truncated, fs::file_size(good) / 2);
    {
      // One byte inside /state/big's data, found through its address in the file (contiguous layout).
      h5_file f(H5Fopen(flipped.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT));
      h5_dataset ds(H5Dopen2(f.get(), "/state/big", H5P_DEFAULT));
      const haddr_t address = H5Dget_offset(ds.get());
      ASSERT_NE(address, HADDR_UNDEF);
      std::fstream bytes(flipped, std::ios::in | std::ios::out | std::ios::binary);
      bytes.seekg(static_cast<std::streamoff>(address + 1000));
      const char c = static_cast<char>(bytes.get() ^ 0x10);
      bytes.seekp(static_cast<std::streamoff>(address + 1000));
      bytes.put(c);
    }
    {
      h5_file f(H5Fopen(deleted.c_str(), H5F_ACC_RDWR, H5P_DEFAULT));
      ASSERT_GE(H5Ldelete(f.get(), "/state/populations/P3/input/0", H5P_DEFAULT), 0);
    }
    std::ofstream(text) << "this is not a checkpoint\n";
    h5_file f(H5Fcreate(foreign.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT));
  }
  context().barrier();
  auto read_all = [](const fs::path& file) {
    return [file] {
      auto fields = make_fields(test_shapes(), split::ragged, false);
      hdf5_checkpoint_source(context(), file).read(views(fields));
    };
  };
  expect_input_error_everywhere(read_all(truncated), {truncated.string()});
  expect_input_error_everywhere(read_all(flipped), {flipped.string(), "dataset /state/big"});
  expect_input_error_everywhere(read_all(deleted),
                                {deleted.string(), "dataset /state/populations/P3/input/0", "missing"});
  expect_input_error_everywhere(read_all(text), {text.string(), "not an HDF5 file"});
  expect_input_error_everywhere(read_all(foreign), {foreign.string(), "attribute magic", "missing"});
  expect_input_error_everywhere(read_all(dir.path() / "none.h5"), {"none.h5", "no such file"});
  // The original is untouched by all this.
  expect_reads_back(good, split::ragged);
}

TEST(checkpoint_file, inspect_lists_the_datasets_and_verifies_checksums) {
  const shared_test_directory dir("ckpt-inspect");
  const fs::path file = write_test_checkpoint(dir.path(), 250);
  if (context().rank() != 0) return;  // serial, no collective calls
  const auto inspection = inspect_checkpoint(file);
  EXPECT_TRUE(inspection.intact);
  const std::string& text = inspection.text;
  for (const std::string& part : std::vector<std::string>{
           file.string(), "250", "25 ms", "0123456789abcdef", "run-42", "0.3.0", "/state/big", "f64", "[2, 150001]",
           "2400016 bytes", "E 12345, inhibitory 0", "weight samples    3 x 40 synapses, 0 x 7 synapses",
           "checksums: OK (21 datasets verified)"})
    EXPECT_NE(text.find(part), std::string::npos) << text << "\nlacks: " << part;
  const fs::path damaged = dir.path() / "damaged.h5";
  fs::copy_file(file, damaged);
  {
    h5_file f(H5Fopen(damaged.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT));
    h5_dataset ds(H5Dopen2(f.get(), "/state/big", H5P_DEFAULT));
    const haddr_t address = H5Dget_offset(ds.get());
    ASSERT_NE(address, HADDR_UNDEF);
    std::fstream bytes(damaged, std::ios::in | std::ios::out | std::ios::binary);
    bytes.seekp(static_cast<std::streamoff>(address + 8 * 131072 + 8));
    bytes.put('\x7f');
  }
  const auto damaged_inspection = inspect_checkpoint(damaged);
  EXPECT_FALSE(damaged_inspection.intact);
  const std::string& report = damaged_inspection.text;
  EXPECT_NE(report.find("checksums: FAILED in 1 of 21 datasets"), std::string::npos) << report;
  EXPECT_NE(report.find("/state/big (checksum mismatch"), std::string::npos) << report;
  // A deleted dataset leaves only good checksums behind: /contents still names it.
  const fs::path deleted = dir.path() / "deleted.h5";
  fs::copy_file(file, deleted);
  {
    h5_file f(H5Fopen(deleted.c_str(), H5F_ACC_RDWR, H5P_DEFAULT));
    ASSERT_GE(H5Ldelete(f.get(), "/state/empty", H5P_DEFAULT), 0);
  }
  const auto deleted_inspection = inspect_checkpoint(deleted);
  EXPECT_FALSE(deleted_inspection.intact);
  const std::string& missing = deleted_inspection.text;
  EXPECT_NE(missing.find("checksums: FAILED in 1 of 21 datasets"), std::string::npos) << missing;
  EXPECT_NE(missing.find("/state/empty (missing)"), std::string::npos) << missing;
  const fs::path text_file = dir.path() / "text.h5";
  std::ofstream(text_file) << "hello";
  EXPECT_THROW(inspect_checkpoint(text_file), input_error);
}

}  // namespace
}  // namespace hetspike
