// `hetspike inspect FILE`: what a checkpoint holds, and whether every dataset still passes its checksum.
#include <algorithm>
#include <iomanip>
#include <sstream>

#include "io/checkpoint_file.hpp"
#include "io/checkpoint_layout.hpp"

namespace hetspike {

namespace fs = std::filesystem;
using namespace checkpoint_detail;

namespace {

herr_t collect_dataset(hid_t, const char* name, const H5O_info_t* info, void* out) {
  if (info->type == H5O_TYPE_DATASET) static_cast<std::vector<std::string>*>(out)->push_back(std::string("/") + name);
  return 0;
}

/// Every dataset's path, in name order.
std::vector<std::string> dataset_paths(hid_t file) {
  std::vector<std::string> paths;
  h5_ok(H5Ovisit2(file, H5_INDEX_NAME, H5_ITER_INC, collect_dataset, &paths, H5O_INFO_BASIC), "H5Ovisit2");
  return paths;
}

/// "f64", "string[12]" or "other".
std::string type_text(hid_t type) {
  if (H5Tget_class(type) == H5T_STRING) return "string[" + std::to_string(H5Tget_size(type)) + "]";
  const auto t = stored_field_type(type);
  return t ? name_of(*t) : "other";
}

/// Reads the whole dataset a block of columns at a time (memory stays bounded) and compares the sum of the
/// blocks' checksums with the dataset's checksum attribute. Returns the problem, or "".
std::string verify(hid_t dataset) {
  try {
    if (H5Aexists(dataset, checksum_attribute) <= 0) return "no checksum attribute";
    std::uint64_t stored = 0;
    {
      h5_attribute a(h5_ok(H5Aopen(dataset, checksum_attribute, H5P_DEFAULT), "H5Aopen"));
      h5_ok(H5Aread(a.get(), H5T_NATIVE_UINT64, &stored), "H5Aread");
    }
    h5_datatype type(h5_ok(H5Dget_type(dataset), "H5Dget_type"));
    const std::size_t element = H5Tget_size(type.get());
    const auto dims = dims_of(dataset);
    std::uint64_t sum = 0;
    if (num_elements(dims) > 0) {
      const hsize_t rows = dims.size() == 2 ? dims[0] : 1;
      const hsize_t step = std::max<hsize_t>(1, (hsize_t{1} << 20) / rows);
      std::vector<unsigned char> buffer(rows * std::min(step, dims.back()) * element);
      for (hsize_t first = 0; first < dims.back(); first += step) {
        const column_block block{dims, first, std::min(step, dims.back() - first)};
        const auto spaces = select_block(dataset, block);
        h5_ok(H5Dread(dataset, type.get(), spaces.memory.get(), spaces.file.get(), H5P_DEFAULT, buffer.data()),
              "H5Dread");
        sum += block_checksum(block, buffer.data(), element);
      }
    }
    return sum == stored ? std::string() : "checksum mismatch: the data differ from what was written";
  } catch (const input_error& e) {
    return e.what();
  }
}

void describe_header(std::ostream& out, const fs::path& file, const checkpoint_header& h) {
  std::error_code ec;
  const auto size = fs::file_size(file, ec);
  auto line = [&out](const char* key) -> std::ostream& { return out << std::left << std::setw(18) << key; };
  line("checkpoint") << file.string() << "\n";
  line("size") << (ec ? std::string("unknown") : std::to_string(size) + " bytes") << "\n";
  line("step") << h.step << "\n";
  line("simulated time") << std::setprecision(12) << static_cast<double>(h.step) * h.dt << " ms (dt " << h.dt
                         << " ms)\n";
  line("model hash") << h.model_hash << "\n";
  line("model file") << h.model_path << "\n";
  line("written by") << h.ranks << (h.ranks == 1 ? " rank" : " ranks") << "\n";
  line("hetspike version") << h.hetspike_version << "\n";
  line("build id") << h.build_id << "\n";
  line("run id") << h.run_id << "\n";
  line("recorded spikes");
  for (std::size_t p = 0; p < h.recorded_populations.size(); ++p)
    out << (p ? ", " : "") << h.recorded_populations[p] << " " << h.recorded_spikes[p];
  out << (h.recorded_populations.empty() ? "none\n" : "\n");
  if (!h.weight_samples.empty()) {
    line("weight samples");
    for (std::size_t i = 0; i < h.weight_samples.size(); ++i)
      out << (i ? ", " : "") << h.weight_samples[i] << " x "
          << (i < h.weight_synapses.size() ? h.weight_synapses[i] : 0) << " synapses";
    out << "\n";
  }
}

}  // namespace

checkpoint_inspection inspect_checkpoint(const fs::path& file) {
  const hdf5_quiet_scope quiet;
  checkpoint_reader reader(make_local_context(), file);  // serial: the POSIX driver, no MPI
  const checkpoint_header h = reader.read_header();
  std::ostringstream out;
  describe_header(out, file, h);
  std::vector<std::string> failed;
  std::size_t count = 0;
  // A dataset deleted from the file passes every checksum that is left: /contents says what should be there.
  const auto listed = reader.read_strings(contents_path);
  reader.step("datasets", [&] {
    const auto paths = dataset_paths(reader.file());
    std::size_t width = 0;
    for (const auto& p : paths) width = std::max(width, p.size());
    out << "datasets\n";
    for (const auto& path : paths) {
      h5_dataset ds(h5_ok(H5Dopen2(reader.file(), path.c_str(), H5P_DEFAULT), "H5Dopen2"));
      h5_datatype type(h5_ok(H5Dget_type(ds.get()), "H5Dget_type"));
      const auto dims = dims_of(ds.get());
      out << "  " << std::left << std::setw(static_cast<int>(width)) << path << "  " << std::setw(12)
          << type_text(type.get()) << " " << std::setw(16) << shape_text(dims) << " "
          << num_elements(dims) * H5Tget_size(type.get()) << " bytes\n";
      const std::string problem = verify(ds.get());
      if (!problem.empty()) failed.push_back(path + " (" + problem + ")");
      ++count;
    }
    for (const auto& path : listed) {
      if (std::find(paths.begin(), paths.end(), path) != paths.end()) continue;
      failed.push_back(path + " (missing)");
      ++count;
    }
  });
  reader.close();
  if (failed.empty()) {
    out << "checksums: OK (" << count << " datasets verified)\n";
  } else {
    out << "checksums: FAILED in " << failed.size() << " of " << count << " datasets:\n";
    for (const auto& f : failed) out << "  " << f << "\n";
  }
  return {out.str(), failed.empty()};
}

}  // namespace hetspike
