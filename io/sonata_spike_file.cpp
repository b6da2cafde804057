// What sonata_spike_writer checks and prepares before its collective open: its arguments, that the file can be
// created, and which earlier file a resumed run continues (cut back to the checkpoint).
#include "io/sonata_spike_file.hpp"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <string_view>
#include <unordered_set>

#include "io/hdf5_handle.hpp"
#include "io/sonata_file.hpp"
#include "partition/error.hpp"

namespace hetspike {

namespace fs = std::filesystem;

namespace {

/// Whether `dataset` is an extendible 1-D array that holds at least `position` elements, the last of which can
/// be read (a cheap sign that its chunk index survived the run that wrote it). Returns the problem, or "".
std::string check_dataset(const hdf5_checker& check, hid_t group, const char* name, std::uint64_t position,
                          const std::string& where) {
  if (H5Lexists(group, name, H5P_DEFAULT) <= 0) return where + " is missing";
  h5_dataset ds(check(H5Dopen2(group, name, H5P_DEFAULT), "H5Dopen2 " + where));
  h5_dataspace space(check(H5Dget_space(ds.get()), "H5Dget_space " + where));
  hsize_t size = 0, max_size = 0;
  if (H5Sget_simple_extent_ndims(space.get()) != 1) return where + " is not 1-D";
  check(H5Sget_simple_extent_dims(space.get(), &size, &max_size), "H5Sget_simple_extent_dims " + where);
  if (max_size != H5S_UNLIMITED) return where + " cannot grow";
  if (size < position)
    return where + " holds " + std::to_string(size) + " spikes, fewer than the checkpoint's " +
           std::to_string(position);
  if (position == 0) return {};
  const hsize_t last = position - 1, one = 1;
  check(H5Sselect_hyperslab(space.get(), H5S_SELECT_SET, &last, nullptr, &one, nullptr), "H5Sselect " + where);
  h5_dataspace memory(check(H5Screate_simple(1, &one, nullptr), "H5Screate_simple " + where));
  std::uint64_t value = 0;  // read in the stored type: 8 bytes for timestamps (f64) and node ids (u64) alike
  h5_datatype type(check(H5Dget_type(ds.get()), "H5Dget_type " + where));
  if (H5Tget_size(type.get()) != sizeof value) return where + " does not hold 8-byte values";
  check(H5Dread(ds.get(), type.get(), memory.get(), space.get(), H5P_DEFAULT, &value), "H5Dread " + where);
  return {};
}

/// Whether `file` can be continued: a SONATA spike file of this run with enough spikes everywhere.
std::string qualifies(const fs::path& file, const std::vector<sonata_population>& populations,
                      const spike_file_resume& resume) {
  const hdf5_checker check(file);
  if (H5Fis_hdf5(file.c_str()) <= 0) return "not an HDF5 file";
  h5_file f(check(H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), "H5Fopen"));
  if (std::string problem = run_id_problem(check, f.get(), resume.run_id); !problem.empty()) return problem;
  for (std::size_t p = 0; p < populations.size(); ++p) {
    const std::string where = "/spikes/" + populations[p].name;
    if (H5Lexists(f.get(), "spikes", H5P_DEFAULT) <= 0 || H5Lexists(f.get(), where.c_str(), H5P_DEFAULT) <= 0)
      return where + " is missing";
    h5_group g(check(H5Gopen2(f.get(), where.c_str(), H5P_DEFAULT), "H5Gopen2 " + where));
    for (const char* name : {"timestamps", "node_ids"}) {
      const std::string problem = check_dataset(check, g.get(), name, resume.positions[p], where + "/" + name);
      if (!problem.empty()) return problem;
    }
  }
  return {};
}

/// Cuts every population of `file` back to its position: the spikes after the checkpoint are simulated again.
void truncate_to_positions(const fs::path& file, const std::vector<sonata_population>& populations,
                           const std::vector<std::uint64_t>& positions) {
  const hdf5_checker check(file);
  h5_file f(check(H5Fopen(file.c_str(), H5F_ACC_RDWR, H5P_DEFAULT), "H5Fopen"));
  for (std::size_t p = 0; p < populations.size(); ++p) {
    for (const char* name : {"timestamps", "node_ids"}) {
      const std::string where = "/spikes/" + populations[p].name + "/" + name;
      h5_dataset ds(check(H5Dopen2(f.get(), where.c_str(), H5P_DEFAULT), "H5Dopen2 " + where));
      const hsize_t size = positions[p];
      check(H5Dset_extent(ds.get(), &size), "H5Dset_extent " + where);
    }
  }
  check(f.close(), "H5Fclose");
}

}  // namespace

std::optional<std::string> spike_file_run_id(const fs::path& path) {
  std::error_code ec;
  if (!fs::exists(path, ec)) return std::nullopt;
  const hdf5_quiet_scope quiet;
  try {
    const hdf5_checker check(path);
    if (!fs::is_regular_file(path, ec) || H5Fis_hdf5(path.c_str()) <= 0) return std::string();
    h5_file f(check(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), "H5Fopen"));
    if (H5Aexists(f.get(), "run_id") <= 0) return std::string();
    return h5_read_string_attribute(check, f.get(), "run_id", "/ attribute run_id");
  } catch (const std::exception&) {
    return std::string();
  }
}

h5_datatype sorting_enum_type(const hdf5_checker& check) {
  // One byte, so the same type serves as file and memory type on any byte order.
  h5_datatype type(check(H5Tenum_create(H5T_STD_I8LE), "H5Tenum_create sorting"));
  const std::pair<const char*, sonata_sorting> members[] = {
      {"none", sonata_sorting::none}, {"by_id", sonata_sorting::by_id}, {"by_time", sonata_sorting::by_time}};
  for (const auto& [name, value] : members) check(H5Tenum_insert(type.get(), name, &value), "H5Tenum_insert");
  return type;
}

void validate(const std::vector<sonata_population>& populations, double dt_ms, const fs::path& path,
              const std::optional<spike_file_resume>& resume) {
  if (!(dt_ms > 0) || !std::isfinite(dt_ms))
    throw internal_error("sonata_spike_writer for '" + path.string() + "': dt must be positive, got " +
                         std::to_string(dt_ms) + " ms");
  if (resume && resume->positions.size() != populations.size())
    throw internal_error("sonata_spike_writer for '" + path.string() + "': " + std::to_string(populations.size()) +
                         " populations but " + std::to_string(resume->positions.size()) + " resume positions");
  std::unordered_set<std::string_view> names;  // not a search of the names before each: linear in populations
  for (const auto& population : populations) {
    const auto& name = population.name;
    // The name becomes an HDF5 link name: '/' would nest groups and "." names the parent.
    if (name.empty() || name == "." || name.find('/') != std::string::npos)
      throw input_error("spike file '" + path.string() + "': population name '" + name +
                        "' cannot name an HDF5 group (it must be non-empty, not '.', and contain no '/')");
    if (!names.insert(name).second)
      throw input_error("spike file '" + path.string() + "': population '" + name + "' is listed twice");
  }
}

std::vector<std::size_t> order_by_first_gid(const std::vector<sonata_population>& pops, const fs::path& path) {
  std::vector<std::size_t> order(pops.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(),
            [&](std::size_t a, std::size_t b) { return pops[a].first_gid < pops[b].first_gid; });
  for (std::size_t k = 1; k < order.size(); ++k) {
    const auto& prev = pops[order[k - 1]];
    const auto& next = pops[order[k]];
    if (prev.size > next.first_gid - prev.first_gid)
      throw internal_error("sonata_spike_writer for '" + path.string() + "': gid ranges of populations '" + prev.name +
                           "' and '" + next.name + "' overlap");
  }
  return order;
}

void spike_file_space::opened(std::uint64_t base, std::vector<std::uint64_t> counts) {
  reservation_.opened(base);
  start_ = std::move(counts);
}

std::string spike_file_space::reserve(const fs::path& file, const std::vector<std::uint64_t>& counts) {
  // Whole chunks for the spikes since the file was opened: ceil(new bytes / chunk) of them, for both datasets.
  std::uint64_t data = 0;
  for (std::size_t p = 0; p < counts.size(); ++p)
    data += 2 * ((counts[p] - start_[p]) * 8 + chunk_bytes_ - 1) / chunk_bytes_ * chunk_bytes_;
  return reservation_.reserve(file, data, 2 * counts.size());
}

std::string prepare_spike_file_continuation(const fs::path& final_path, const fs::path& partial,
                                            const std::vector<sonata_population>& populations,
                                            const spike_file_resume& resume) {
  return prepare_continuation(
      final_path, partial, [&](const fs::path& file) { return qualifies(file, populations, resume); },
      [&](const fs::path& file) { truncate_to_positions(file, populations, resume.positions); });
}

}  // namespace hetspike
