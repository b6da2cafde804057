#include "io/sonata_spike_writer.hpp"

#include <algorithm>
#include <iterator>
#include <system_error>

#include "io/hdf5_handle.hpp"
#include "io/partial_output_file.hpp"
#include "io/sonata_file.hpp"
#include "io/sonata_spike_file.hpp"
#include "partition/error.hpp"
#include "runtime/collective_errors.hpp"

namespace hetspike {

namespace fs = std::filesystem;

namespace {

// 16 Ki elements per chunk (128 KiB of timestamps): a long run's appends touch few chunks, and a population
// that hardly spikes does not cost megabytes of file.
constexpr hsize_t chunk_elements = hsize_t{1} << 14;

constexpr std::size_t no_population = static_cast<std::size_t>(-1);

h5_plist chunked_dataset_plist(const hdf5_checker& check) {
  h5_plist dcpl(check(H5Pcreate(H5P_DATASET_CREATE), "H5Pcreate dataset creation"));
  check(H5Pset_chunk(dcpl.get(), 1, &chunk_elements), "H5Pset_chunk");
  // Every element is written right after the extent grows; filling it first would write the data twice.
  check(H5Pset_fill_time(dcpl.get(), H5D_FILL_TIME_NEVER), "H5Pset_fill_time");
  return dcpl;
}

}  // namespace

struct sonata_spike_writer::impl {
  struct population_datasets {
    h5_group group;
    h5_dataset timestamps;
    h5_dataset node_ids;
  };

  impl(distributed_context c, fs::path final_p, std::vector<sonata_population> pops, double dt_ms, std::string id,
       std::optional<spike_file_resume> resume_from)
      : ctx(std::move(c)),
        final_path(std::move(final_p)),
        populations(std::move(pops)),
        dt(dt_ms),
        run_id(std::move(id)),
        resume(std::move(resume_from)),
        file(ctx, final_path, "spike file"),
        check(file.check()),
        written(populations.size(), 0) {
    validate(populations, dt, final_path, resume);
    clock.emplace(dt);
    by_first_gid = order_by_first_gid(populations, final_path);
  }

  void open() {
    const hdf5_quiet_scope quiet;
    if (resume) {
      // Decided on rank 0 alone (it reads and edits files serially), then shared: every rank takes the same path.
      resume_problem = ctx.broadcast(
          ctx.rank() == 0 ? prepare_spike_file_continuation(final_path, file.partial_path(), populations, *resume)
                          : "");
      continued = resume_problem.empty();
    }
    file.open(continued);
    if (continued) {
      agree_on_input_errors(ctx, [&] { open_layout(); });
      written = resume->positions;
    } else {
      create_layout();
    }
    std::error_code ec;
    if (ctx.rank() == 0) space.opened(fs::file_size(file.partial_path(), ec), written);
  }

  void create_layout() {
    write_sonata_root(check, file.id(), run_id);
    h5_group spikes(
        check(H5Gcreate2(file.id(), "spikes", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), "H5Gcreate2 /spikes"));
    const h5_datatype sorting = sorting_enum_type(check);
    const h5_plist dcpl = chunked_dataset_plist(check);
    const auto none = sonata_sorting::none;
    for (const auto& pop : populations) {
      const std::string where = "/spikes/" + pop.name;
      population_datasets d;
      d.group = h5_group(check(H5Gcreate2(spikes.get(), pop.name.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                               "H5Gcreate2 " + where));
      h5_write_scalar_attribute(check, d.group.get(), "sorting", sorting.get(), &none, where + " attribute sorting");
      d.timestamps = h5_create_extendible_1d(check, d.group.get(), "timestamps", H5T_IEEE_F64LE, dcpl.get(),
                                             where + "/timestamps");
      h5_write_string_attribute(check, d.timestamps.get(), "units", "ms", where + "/timestamps attribute units");
      d.node_ids =
          h5_create_extendible_1d(check, d.group.get(), "node_ids", H5T_STD_U64LE, dcpl.get(), where + "/node_ids");
      datasets.push_back(std::move(d));
    }
  }

  /// The groups and datasets of a file being continued (prepare_spike_file_continuation checked them).
  void open_layout() {
    for (const auto& pop : populations) {
      const std::string where = "/spikes/" + pop.name;
      population_datasets d;
      d.group = h5_group(check(H5Gopen2(file.id(), where.c_str(), H5P_DEFAULT), "H5Gopen2 " + where));
      d.timestamps =
          h5_dataset(check(H5Dopen2(d.group.get(), "timestamps", H5P_DEFAULT), "H5Dopen2 " + where + "/timestamps"));
      d.node_ids =
          h5_dataset(check(H5Dopen2(d.group.get(), "node_ids", H5P_DEFAULT), "H5Dopen2 " + where + "/node_ids"));
      datasets.push_back(std::move(d));
    }
  }

  std::size_t population_of(gid_type gid) const {
    const auto after = std::upper_bound(by_first_gid.begin(), by_first_gid.end(), gid,
                                        [&](gid_type g, std::size_t i) { return g < populations[i].first_gid; });
    if (after == by_first_gid.begin()) return no_population;
    const std::size_t p = *std::prev(after);
    return gid - populations[p].first_gid < populations[p].size ? p : no_population;
  }

  void write(std::span<const recorded_spike> spikes) {
    if (file.finished())
      throw internal_error("sonata_spike_writer: write() after close() of '" + final_path.string() + "'");
    const hdf5_quiet_scope quiet;
    const std::size_t n = populations.size();
    std::vector<std::vector<std::uint64_t>> ids(n);
    std::vector<std::vector<double>> times(n);
    // This rank's count per population, then [has a stray gid, that gid]: one allgather gives every rank its
    // offsets, the totals, and whether any rank must fail, so that all ranks fail together.
    std::vector<std::uint64_t> mine(n + 2, 0);
    for (const auto& s : spikes) {
      const std::size_t p = population_of(s.gid);
      if (p == no_population) {
        if (mine[n] == 0) mine[n + 1] = s.gid;
        mine[n] = 1;
        continue;
      }
      ids[p].push_back(s.gid - populations[p].first_gid);
      times[p].push_back(clock->at(s.step + 1));  // NEST's stamp: the end of the step
      ++mine[p];
    }
    const auto all = ctx.allgather(std::span<const std::uint64_t>(mine));
    throw_if_stray_gid(all, n + 2);
    std::vector<std::uint64_t> offsets(n, 0), totals(n, 0);
    for (std::size_t p = 0; p < n; ++p) {
      for (int r = 0; r < ctx.size(); ++r) {
        const std::uint64_t c = all[static_cast<std::size_t>(r) * (n + 2) + p];
        if (r < ctx.rank()) offsets[p] += c;
        totals[p] += c;
      }
    }
    reserve_room(totals);
    for (std::size_t p = 0; p < n; ++p)
      if (totals[p] > 0) append(p, offsets[p], totals[p], ids[p], times[p]);
  }

  /// Collective: room on disk for this write before HDF5 allocates any of it (see reserve_file_space), so that
  /// a full disk fails cleanly here, on every rank.
  void reserve_room(const std::vector<std::uint64_t>& totals) {
    std::string problem;
    if (ctx.rank() == 0) {
      std::vector<std::uint64_t> after = written;
      for (std::size_t p = 0; p < after.size(); ++p) after[p] += totals[p];
      problem = space.reserve(file.partial_path(), after);
    }
    problem = agree_on_failure(ctx, problem);
    if (!problem.empty()) throw hdf5_error("cannot write spike file '" + final_path.string() + "': " + problem);
  }

  void throw_if_stray_gid(const std::vector<std::uint64_t>& all, std::size_t stride) const {
    for (int r = 0; r < ctx.size(); ++r) {
      const std::size_t base = static_cast<std::size_t>(r) * stride;
      if (all[base + stride - 2] != 0)
        throw internal_error("spike file '" + final_path.string() + "': rank " + std::to_string(r) +
                             " recorded a spike of gid " + std::to_string(all[base + stride - 1]) +
                             ", which is in no recorded population");
    }
  }

  /// Collective: grows both datasets by `total` on every rank, then each rank writes its own slice.
  void append(std::size_t p, std::uint64_t offset, std::uint64_t total, const std::vector<std::uint64_t>& ids,
              const std::vector<double>& times) {
    const std::string where = "/spikes/" + populations[p].name;
    const hsize_t new_size = written[p] + total;
    const hsize_t first = written[p] + offset;
    // Each collective step is agreed: a write that fails on one rank (say, the one whose MPI-IO aggregator hit
    // the disk's end) throws on every rank instead of leaving the others waiting in the next collective.
    agree_on_input_errors(ctx, [&] {
      check(H5Dset_extent(datasets[p].timestamps.get(), &new_size), "H5Dset_extent " + where + "/timestamps");
      check(H5Dset_extent(datasets[p].node_ids.get(), &new_size), "H5Dset_extent " + where + "/node_ids");
    });
    const hsize_t count[1] = {times.size()};
    agree_on_input_errors(ctx, [&] {
      file.write_block(datasets[p].timestamps, H5T_NATIVE_DOUBLE, times.data(), {&first, 1}, count,
                       where + "/timestamps");
    });
    agree_on_input_errors(ctx, [&] {
      file.write_block(datasets[p].node_ids, H5T_NATIVE_UINT64, ids.data(), {&first, 1}, count, where + "/node_ids");
    });
    written[p] = new_size;
  }

  void close() {
    datasets.clear();  // objects first: while the file is open, closing them is local
    file.close();
  }

  void discard() {
    datasets.clear();
    file.discard();
  }

  void sync() {
    if (file.finished())
      throw internal_error("sonata_spike_writer: sync() after close() of '" + final_path.string() + "'");
    file.sync();
    space.flushed();  // the flush cut the file back to HDF5's end of allocation
  }

  distributed_context ctx;
  fs::path final_path;
  std::vector<sonata_population> populations;
  double dt;
  std::optional<sonata_clock> clock;  ///< once dt is checked
  std::string run_id;
  std::optional<spike_file_resume> resume;
  partial_output_file file;
  const hdf5_checker& check;
  std::vector<std::uint64_t> written;  ///< per population, all ranks together
  std::vector<std::size_t> by_first_gid;
  std::vector<population_datasets> datasets;  ///< after `file`: destroyed before it
  spike_file_space space{chunk_elements};     ///< rank 0's reservations
  bool continued = false;                     ///< appending to an earlier run's file
  std::string resume_problem;
};

sonata_spike_writer::sonata_spike_writer(distributed_context ctx, fs::path final_path,
                                         std::vector<sonata_population> populations, double dt_ms, std::string run_id,
                                         std::optional<spike_file_resume> resume)
    : impl_(std::make_unique<impl>(std::move(ctx), std::move(final_path), std::move(populations), dt_ms,
                                   std::move(run_id), std::move(resume))) {
  // Two steps, so that ~impl (which removes the partial file) runs if opening fails half-way.
  impl_->open();
}

sonata_spike_writer::~sonata_spike_writer() = default;

void sonata_spike_writer::write(std::span<const recorded_spike> spikes) { impl_->write(spikes); }
void sonata_spike_writer::close() { impl_->close(); }
void sonata_spike_writer::discard() { impl_->discard(); }
void sonata_spike_writer::sync() { impl_->sync(); }
std::vector<std::uint64_t> sonata_spike_writer::counts() const { return impl_->written; }
std::vector<std::uint64_t> sonata_spike_writer::positions() const { return impl_->written; }
bool sonata_spike_writer::continued() const { return impl_->continued; }
const std::string& sonata_spike_writer::resume_problem() const { return impl_->resume_problem; }
const fs::path& sonata_spike_writer::path() const { return impl_->final_path; }

}  // namespace hetspike
