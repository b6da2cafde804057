// One state file of sonata_state_writer: its SONATA report layout, the appends of every rank's columns, and its
// continuation by a resumed run.
#include "io/sonata_state_file.hpp"

#include <algorithm>
#include <array>
#include <numeric>
#include <system_error>

#include "partition/error.hpp"
#include "runtime/collective_errors.hpp"

namespace hetspike {

namespace fs = std::filesystem;

namespace {

/// The chunks of a report's data: up to 1024 nodes wide and 16 Ki values in all (64 KiB of float32), so that an
/// append of a few rows touches few chunks and a small report costs little file.
std::array<hsize_t, 2> chunk_of(std::uint64_t nodes) {
  const hsize_t columns = std::clamp<hsize_t>(nodes, 1, 1024);
  return {std::max<hsize_t>(1, (hsize_t{1} << 14) / columns), columns};
}

hid_t file_type_of(state_precision p) { return p == state_precision::float32 ? H5T_IEEE_F32LE : H5T_IEEE_F64LE; }

}  // namespace

state_report_file::state_report_file(distributed_context ctx, fs::path final_path, std::vector<state_report> reports,
                                     const sonata_clock& clock, std::string run_id)
    : ctx_(std::move(ctx)),
      reports_(std::move(reports)),
      clock_(clock),
      run_id_(std::move(run_id)),
      file_(ctx_, std::move(final_path), "state file") {}

void state_report_file::open(const std::optional<state_file_resume>& resume) {
  const hdf5_quiet_scope quiet;
  bool continued = false;
  rows_.assign(reports_.size(), {});
  if (resume) {
    // Decided on rank 0 alone (it reads and edits files serially), then shared: every rank takes the same path.
    std::vector<report_rows> kept;
    resume_problem_ = ctx_.broadcast(ctx_.rank() == 0 ? prepare_state_file_continuation(path(), file_.partial_path(),
                                                                                        reports_, clock_, *resume, kept)
                                                      : "");
    continued = resume_problem_.empty();
    if (continued) {
      if (ctx_.rank() != 0) kept.clear();
      rows_ = ctx_.allgather(std::span<const report_rows>(kept));  // rank 0's, on every rank
    } else {
      for (std::size_t r = 0; r < reports_.size(); ++r) rows_[r].first_row = reports_[r].samples_until(resume->step);
    }
  }
  file_.open(continued);
  if (continued)
    agree_on_input_errors(ctx_, [&] { open_layout(); });
  else
    create_layout();
  rows_at_open_.clear();
  for (const auto& r : rows_) rows_at_open_.push_back(r.rows);
  std::error_code ec;
  if (ctx_.rank() == 0) space_.opened(fs::file_size(file_.partial_path(), ec));
}

void state_report_file::create_layout() {
  const auto& check = file_.check();
  write_sonata_root(check, file_.id(), run_id_);
  h5_group report(check(H5Gcreate2(file_.id(), "report", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), "H5Gcreate2 /report"));
  for (std::size_t r = 0; r < reports_.size(); ++r) create_report(report.get(), reports_[r], rows_[r]);
}

void state_report_file::create_report(hid_t parent, const state_report& report, const report_rows& rows) {
  const auto& check = file_.check();
  const std::string where = "/report/" + report.population;
  report_datasets d;
  d.group = h5_group(check(H5Gcreate2(parent, report.population.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                           "H5Gcreate2 " + where));
  const std::array<hsize_t, 2> dims{0, report.nodes}, max_dims{H5S_UNLIMITED, report.nodes};
  const auto chunk = chunk_of(report.nodes);
  h5_plist dcpl(check(H5Pcreate(H5P_DATASET_CREATE), "H5Pcreate dataset creation"));
  check(H5Pset_chunk(dcpl.get(), 2, chunk.data()), "H5Pset_chunk " + where + "/data");
  // Every value is written right after the extent grows; filling it first would write the data twice.
  check(H5Pset_fill_time(dcpl.get(), H5D_FILL_TIME_NEVER), "H5Pset_fill_time");
  h5_dataspace space(check(H5Screate_simple(2, dims.data(), max_dims.data()), "H5Screate_simple " + where + "/data"));
  d.data = h5_dataset(check(H5Dcreate2(d.group.get(), "data", file_type_of(report.precision), space.get(), H5P_DEFAULT,
                                       dcpl.get(), H5P_DEFAULT),
                            "H5Dcreate2 " + where + "/data"));
  h5_write_string_attribute(check, d.data.get(), "units", report.unit.c_str(), where + "/data attribute units");

  h5_group mapping(
      check(H5Gcreate2(d.group.get(), "mapping", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), "H5Gcreate2 mapping"));
  // Rank 0 holds the mapping's values: one element per node, node i at element i.
  const std::uint64_t n = ctx_.rank() == 0 ? report.nodes : 0;
  std::vector<std::uint64_t> ids(n + (n > 0 ? 1 : 0));
  std::iota(ids.begin(), ids.end(), std::uint64_t{0});
  const h5_dataset node_ids =
      create_filled(mapping.get(), "node_ids", H5T_STD_U64LE, H5T_NATIVE_UINT64, ids.data(), report.nodes, where);
  const std::uint8_t sorted = 1;  // libsonata reads it: the ids need no sorting
  h5_write_scalar_attribute(check, node_ids.get(), "sorted", H5T_NATIVE_UINT8, &sorted, where + " attribute sorted");
  create_filled(mapping.get(), "index_pointers", H5T_STD_U64LE, H5T_NATIVE_UINT64, ids.data(), report.nodes + 1, where);
  const std::vector<std::uint32_t> elements(n, 0);
  create_filled(mapping.get(), "element_ids", H5T_STD_U32LE, H5T_NATIVE_UINT32, elements.data(), report.nodes, where);
  const std::array<double, 3> time{clock_.at(report.sample_boundary(rows.first_row)),
                                   clock_.at(report.sample_boundary(rows.first_row)), clock_.at(report.every)};
  d.time = create_filled(mapping.get(), "time", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, time.data(), 3, where);
  h5_write_string_attribute(check, d.time.get(), "units", "ms", where + "/mapping/time attribute units");
  datasets_.push_back(std::move(d));
}

h5_dataset state_report_file::create_filled(hid_t group, const char* name, hid_t type, hid_t memory_type,
                                            const void* values, hsize_t count, const std::string& where) {
  const auto& check = file_.check();
  const std::string path = where + "/mapping/" + name;
  h5_dataspace space(check(H5Screate_simple(1, &count, nullptr), "H5Screate_simple " + path));
  h5_dataset d(
      check(H5Dcreate2(group, name, type, space.get(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), "H5Dcreate2 " + path));
  const hsize_t start = 0, mine = ctx_.rank() == 0 ? count : 0;
  file_.write_block(d, memory_type, values, {&start, 1}, {&mine, 1}, path);
  return d;
}

void state_report_file::open_layout() {
  const auto& check = file_.check();
  for (const auto& report : reports_) {
    const std::string where = "/report/" + report.population;
    report_datasets d;
    d.group = h5_group(check(H5Gopen2(file_.id(), where.c_str(), H5P_DEFAULT), "H5Gopen2 " + where));
    d.data = h5_dataset(check(H5Dopen2(d.group.get(), "data", H5P_DEFAULT), "H5Dopen2 " + where + "/data"));
    d.time =
        h5_dataset(check(H5Dopen2(d.group.get(), "mapping/time", H5P_DEFAULT), "H5Dopen2 " + where + "/mapping/time"));
    datasets_.push_back(std::move(d));
  }
}

void state_report_file::write(std::span<const state_block> blocks) {
  if (file_.finished()) throw internal_error("state file '" + path().string() + "': write() after close()");
  const hdf5_quiet_scope quiet;
  std::string misfit;  // a block beyond its report's nodes: our bug, but every rank must still stop together
  for (std::size_t r = 0; r < reports_.size(); ++r)
    if (blocks[r].nodes > 0 && blocks[r].first_node + blocks[r].nodes > reports_[r].nodes)
      misfit = "state file '" + path().string() + "': nodes " + std::to_string(blocks[r].first_node) + " + " +
               std::to_string(blocks[r].nodes) + " lie beyond the report's " + std::to_string(reports_[r].nodes);
  misfit = agree_on_failure(ctx_, misfit);
  if (!misfit.empty()) throw internal_error(misfit);
  reserve_room(blocks);
  for (std::size_t r = 0; r < reports_.size(); ++r)
    if (blocks[r].rows > 0) append(r, blocks[r]);
}

void state_report_file::reserve_room(std::span<const state_block> blocks) {
  std::string problem;
  if (ctx_.rank() == 0) {
    // Whole chunks cover the rows since the file was opened, plus one partly filled row of chunks.
    std::uint64_t data = 0;
    for (std::size_t r = 0; r < reports_.size(); ++r) {
      const auto chunk = chunk_of(reports_[r].nodes);
      const std::uint64_t rows = rows_[r].rows + blocks[r].rows - rows_at_open_[r];
      const std::uint64_t chunk_rows = (rows + chunk[0] - 1) / chunk[0] + 1;
      const std::uint64_t chunk_columns = (reports_[r].nodes + chunk[1] - 1) / chunk[1];
      data += chunk_rows * chunk_columns * chunk[0] * chunk[1] * H5Tget_size(file_type_of(reports_[r].precision));
    }
    problem = space_.reserve(file_.partial_path(), data, 5 * reports_.size());
  }
  problem = agree_on_failure(ctx_, problem);
  if (!problem.empty()) throw hdf5_error("cannot write state file '" + path().string() + "': " + problem);
}

void state_report_file::append(std::size_t r, const state_block& block) {
  const std::string where = "/report/" + reports_[r].population + "/data";
  const std::array<hsize_t, 2> dims{rows_[r].rows + block.rows, reports_[r].nodes};
  const std::array<hsize_t, 2> start{rows_[r].rows, block.first_node}, count{block.rows, block.nodes};
  // Each collective step is agreed: a write that fails on one rank throws on every rank instead of leaving the
  // others waiting in the next collective.
  agree_on_input_errors(
      ctx_, [&] { file_.check()(H5Dset_extent(datasets_[r].data.get(), dims.data()), "H5Dset_extent " + where); });
  agree_on_input_errors(ctx_, [&] {
    if (reports_[r].precision == state_precision::float64) {
      file_.write_block(datasets_[r].data, H5T_NATIVE_DOUBLE, block.values, start, count, where);
    } else {
      // Rounded here, not by HDF5: a conversion in the transfer can turn parallel HDF5's collective write into an
      // independent one.
      std::vector<float> values(block.values, block.values + block.rows * block.nodes);
      file_.write_block(datasets_[r].data, H5T_NATIVE_FLOAT, values.data(), start, count, where);
    }
  });
  rows_[r].rows += block.rows;
  agree_on_input_errors(ctx_, [&] { write_time(r); });
}

void state_report_file::write_time(std::size_t r) {
  const auto& report = reports_[r];
  const std::array<double, 3> time{clock_.at(report.sample_boundary(rows_[r].first_row)),
                                   clock_.at(report.sample_boundary(rows_[r].first_row + rows_[r].rows)),
                                   clock_.at(report.every)};
  const hsize_t start = 0, mine = ctx_.rank() == 0 ? 3 : 0;
  file_.write_block(datasets_[r].time, H5T_NATIVE_DOUBLE, time.data(), {&start, 1}, {&mine, 1},
                    "/report/" + report.population + "/mapping/time");
}

void state_report_file::close() {
  datasets_.clear();  // objects first: while the file is open, closing them is local
  file_.close();
}

void state_report_file::discard() {
  datasets_.clear();
  file_.discard();
}

void state_report_file::sync() {
  if (file_.finished()) throw internal_error("state file '" + path().string() + "': sync() after close()");
  file_.sync();
  if (ctx_.rank() == 0) space_.flushed();  // the flush cut the file back to HDF5's end of allocation
}

}  // namespace hetspike
