#include "io/weight_file.hpp"

#include <system_error>

#include "io/hdf5_handle.hpp"
#include "io/output_path.hpp"
#include "partition/error.hpp"

namespace hetspike {

namespace fs = std::filesystem;

namespace {

void write_array(const hdf5_checker& check, hid_t group, const char* name, hid_t type, std::vector<hsize_t> dims,
                 const void* data) {
  h5_dataspace space(check(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr), "H5Screate_simple"));
  h5_dataset d(check(H5Dcreate2(group, name, type, space.get(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), "H5Dcreate2"));
  if (H5Sget_simple_extent_npoints(space.get()) > 0)
    check(H5Dwrite(d.get(), type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data), "H5Dwrite");
}

}  // namespace

void write_weight_file(const std::vector<weight_recording>& recordings, const fs::path& path) {
  const fs::path partial = partial_path_of(path);
  const hdf5_quiet_scope quiet;
  const hdf5_checker check(partial);
  {
    h5_file file(check(H5Fcreate(partial.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), "H5Fcreate"));
    h5_group projections(
        check(H5Gcreate2(file.get(), "projections", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), "H5Gcreate2"));
    for (const auto& r : recordings) {
      h5_group g(
          check(H5Gcreate2(projections.get(), r.name.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), "H5Gcreate2"));
      const hsize_t n = r.source_ids.size(), k = r.times.size();
      write_array(check, g.get(), "source_node_ids", H5T_NATIVE_UINT64, {n}, r.source_ids.data());
      write_array(check, g.get(), "target_node_ids", H5T_NATIVE_UINT64, {n}, r.target_ids.data());
      write_array(check, g.get(), "times", H5T_NATIVE_DOUBLE, {k}, r.times.data());
      h5_dataset times(check(H5Dopen2(g.get(), "times", H5P_DEFAULT), "H5Dopen2"));
      h5_write_string_attribute(check, times.get(), "units", "ms", "/projections/" + r.name + "/times");
      write_array(check, g.get(), "weights", H5T_NATIVE_DOUBLE, {k, n}, r.weights.data());
    }
  }
  std::error_code ec;
  fs::rename(partial, path, ec);
  if (ec) throw input_error("cannot write weight file '" + path.string() + "': " + ec.message());
}

}  // namespace hetspike
