// Which earlier state file a resumed run continues, and cutting it back to the checkpoint (rank 0, serial).
#include <array>

#include "io/sonata_state_file.hpp"

namespace hetspike {

namespace fs = std::filesystem;

namespace {

/// The stored type SONATA data of `precision` has.
bool holds_precision(hid_t type, state_precision precision) {
  return H5Tget_class(type) == H5T_FLOAT && H5Tget_size(type) == (precision == state_precision::float32 ? 4u : 8u);
}

/// Whether `group` holds `report` as this run writes it, with every sample up to `step`: the problem, or "" and the
/// rows to keep in `kept`.
std::string check_report(const hdf5_checker& check, hid_t group, const state_report& report, const sonata_clock& clock,
                         step_type step, report_rows& kept) {
  const std::string where = "/report/" + report.population;
  if (H5Lexists(group, "data", H5P_DEFAULT) <= 0 || H5Lexists(group, "mapping", H5P_DEFAULT) <= 0 ||
      H5Lexists(group, "mapping/time", H5P_DEFAULT) <= 0)
    return where + " lacks data or mapping/time";
  h5_dataset data(check(H5Dopen2(group, "data", H5P_DEFAULT), "H5Dopen2 " + where + "/data"));
  h5_datatype type(check(H5Dget_type(data.get()), "H5Dget_type " + where + "/data"));
  if (!holds_precision(type.get(), report.precision)) return where + "/data is not of this run's precision";
  if (h5_read_string_attribute(check, data.get(), "units", where + "/data attribute units") != report.unit)
    return where + "/data has other units";
  h5_dataspace space(check(H5Dget_space(data.get()), "H5Dget_space " + where + "/data"));
  std::array<hsize_t, 2> dims{}, max_dims{};
  if (H5Sget_simple_extent_ndims(space.get()) != 2) return where + "/data is not 2-D";
  check(H5Sget_simple_extent_dims(space.get(), dims.data(), max_dims.data()), "H5Sget_simple_extent_dims");
  if (dims[1] != report.nodes || max_dims[0] != H5S_UNLIMITED)
    return where + "/data does not hold " + std::to_string(report.nodes) + " growing columns";
  h5_dataset time(check(H5Dopen2(group, "mapping/time", H5P_DEFAULT), "H5Dopen2 " + where + "/mapping/time"));
  std::array<double, 3> t{};
  check(H5Dread(time.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, t.data()), "H5Dread mapping/time");
  if (t[2] != clock.at(report.every)) return where + " is sampled at another interval";
  // The file's first row: a sample of this run (a file started by an earlier resume starts later than the run).
  const step_type first = clock.boundary_near(t[0]);
  if (clock.at(first) != t[0] || first < report.first_sample || (first - report.first_sample) % report.every != 0)
    return where + " starts at " + std::to_string(t[0]) + " ms, which is no sample time of this run";
  kept.first_row = report.samples_until(first - 1);
  const std::uint64_t done = report.samples_until(step);
  if (done < kept.first_row) return where + " starts after the checkpoint";
  kept.rows = done - kept.first_row;
  if (dims[0] < kept.rows)
    return where + " holds " + std::to_string(dims[0]) + " samples, fewer than the checkpoint's " +
           std::to_string(kept.rows);
  return {};
}

std::string qualifies(const fs::path& file, const std::vector<state_report>& reports, const sonata_clock& clock,
                      const state_file_resume& resume, std::vector<report_rows>& kept) {
  const hdf5_checker check(file);
  if (H5Fis_hdf5(file.c_str()) <= 0) return "not an HDF5 file";
  h5_file f(check(H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), "H5Fopen"));
  if (std::string problem = run_id_problem(check, f.get(), resume.run_id); !problem.empty()) return problem;
  if (H5Lexists(f.get(), "report", H5P_DEFAULT) <= 0) return "/report is missing";
  // Exactly this run's reports: one the run no longer writes would keep samples from beyond the checkpoint.
  h5_group all(check(H5Gopen2(f.get(), "report", H5P_DEFAULT), "H5Gopen2 /report"));
  H5G_info_t info{};
  check(H5Gget_info(all.get(), &info), "H5Gget_info /report");
  if (info.nlinks != reports.size())
    return "it holds " + std::to_string(info.nlinks) + " reports, this run writes " + std::to_string(reports.size());
  kept.assign(reports.size(), {});
  for (std::size_t r = 0; r < reports.size(); ++r) {
    const std::string where = "/report/" + reports[r].population;
    if (H5Lexists(f.get(), where.c_str(), H5P_DEFAULT) <= 0) return where + " is missing";
    h5_group g(check(H5Gopen2(f.get(), where.c_str(), H5P_DEFAULT), "H5Gopen2 " + where));
    if (std::string problem = check_report(check, g.get(), reports[r], clock, resume.step, kept[r]); !problem.empty())
      return problem;
  }
  return {};
}

/// Cuts every report of `file` back to its kept rows, and its stop time with them.
void cut_to(const fs::path& file, const std::vector<state_report>& reports, const sonata_clock& clock,
            const std::vector<report_rows>& kept) {
  const hdf5_checker check(file);
  h5_file f(check(H5Fopen(file.c_str(), H5F_ACC_RDWR, H5P_DEFAULT), "H5Fopen"));
  for (std::size_t r = 0; r < reports.size(); ++r) {
    const std::string where = "/report/" + reports[r].population;
    h5_dataset data(check(H5Dopen2(f.get(), (where + "/data").c_str(), H5P_DEFAULT), "H5Dopen2 " + where + "/data"));
    const std::array<hsize_t, 2> dims{kept[r].rows, reports[r].nodes};
    check(H5Dset_extent(data.get(), dims.data()), "H5Dset_extent " + where + "/data");
    h5_dataset time(check(H5Dopen2(f.get(), (where + "/mapping/time").c_str(), H5P_DEFAULT), "H5Dopen2 time"));
    const auto& report = reports[r];
    const std::array<double, 3> t{clock.at(report.sample_boundary(kept[r].first_row)),
                                  clock.at(report.sample_boundary(kept[r].first_row + kept[r].rows)),
                                  clock.at(report.every)};
    check(H5Dwrite(time.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, t.data()), "H5Dwrite time");
  }
  check(f.close(), "H5Fclose");
}

}  // namespace

std::string prepare_state_file_continuation(const fs::path& final_path, const fs::path& partial,
                                            const std::vector<state_report>& reports, const sonata_clock& clock,
                                            const state_file_resume& resume, std::vector<report_rows>& kept) {
  return prepare_continuation(
      final_path, partial, [&](const fs::path& file) { return qualifies(file, reports, clock, resume, kept); },
      [&](const fs::path& file) { cut_to(file, reports, clock, kept); });
}

}  // namespace hetspike
