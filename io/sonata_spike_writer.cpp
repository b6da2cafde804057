#include "io/sonata_spike_writer.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <exception>
#include <iterator>
#include <system_error>

#include "io/hdf5_handle.hpp"
#include "io/output_path.hpp"
#include "io/sonata_spike_file.hpp"
#include "partition/error.hpp"
#include "runtime/collective_errors.hpp"

namespace hetspike {

namespace fs = std::filesystem;

namespace {

// 16 Ki elements per chunk (128 KiB of timestamps): a long run's appends touch few chunks, and a population
// that hardly spikes does not cost megabytes of file.
constexpr hsize_t chunk_elements = hsize_t{1} << 14;

// SONATA asks every HDF5 file for these two root attributes (developer guide, "Common conventions: HDF5").
constexpr std::uint32_t sonata_magic = 0x0A7A;
constexpr std::uint32_t sonata_version[2] = {0, 1};

constexpr std::size_t no_population = static_cast<std::size_t>(-1);

/// Whole steps per ms when dt divides 1 ms exactly (dt = 0.1 gives 10), else 0.
double whole_steps_per_ms(double dt_ms) {
  const double k = std::round(1.0 / dt_ms);
  return k >= 1 && k * dt_ms == 1.0 ? k : 0.0;
}

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
        partial_path(partial_path_of(final_path)),
        populations(std::move(pops)),
        dt(dt_ms),
        steps_per_ms(whole_steps_per_ms(dt_ms)),
        run_id(std::move(id)),
        resume(std::move(resume_from)),
        // A local context has no MPI (and maybe no MPI_Init): it writes through HDF5's POSIX driver.
        parallel(h5_uses_mpio(ctx)),
        uncaught_at_start(std::uncaught_exceptions()),
        check(partial_path),
        written(populations.size(), 0) {
    validate(populations, dt, final_path, resume);
    by_first_gid = order_by_first_gid(populations, final_path);
  }

  ~impl() {
    if (finished) return;
    const hdf5_quiet_scope quiet;
    datasets.clear();
    if (parallel && ctx.size() > 1 && std::uncaught_exceptions() > uncaught_at_start) {
      // NOTE: closing an MPI-IO file is collective, and while an exception unwinds the other ranks may be
      // anywhere; closing here could hang the job instead of letting main() abort it. So the file stays open:
      // HDF5 closes it at MPI_Finalize if every rank got here, and an aborted job needs no close.
      file.release();
    } else {
      file.close();
    }
    remove_partial_unless_kept();
  }

  /// Rank 0. A partial file that a checkpoint may name positions in is what a resumed run continues: it stays.
  void remove_partial_unless_kept() const {
    std::error_code ignored;
    if (ctx.rank() == 0 && !keep_partial) fs::remove(partial_path, ignored);
  }

  void open() {
    const hdf5_quiet_scope quiet;
    if (resume) {
      // Decided on rank 0 alone (it reads and edits files serially), then shared: every rank takes the same path.
      resume_problem = ctx.broadcast(
          ctx.rank() == 0 ? prepare_spike_file_continuation(final_path, partial_path, populations, *resume) : "");
      continued = resume_problem.empty();
    }
    if (!continued) {
      const std::string problem =
          agree_on_failure(ctx, ctx.rank() == 0 ? output_path_problem(final_path, "spike file", true) : std::string());
      if (!problem.empty()) throw input_error(problem);
    }
    open_file(continued ? H5F_ACC_RDWR : H5F_ACC_TRUNC);
    if (continued) {
      keep_partial = true;  // from here on it holds the spikes of earlier runs
      agree_on_input_errors(ctx, [&] { open_layout(); });
      written = resume->positions;
    } else {
      create_layout();
    }
    transfer = h5_collective_transfer(check, ctx);
    std::error_code ec;
    if (ctx.rank() == 0) space.opened(fs::file_size(partial_path, ec), written);
  }

  /// Creates (H5F_ACC_TRUNC) or opens for appending (H5F_ACC_RDWR) the partial file, on every rank.
  void open_file(unsigned flags) {
    const h5_plist fapl = h5_collective_file_access(check, ctx);
    h5_file created(flags == H5F_ACC_TRUNC ? H5Fcreate(partial_path.c_str(), flags, H5P_DEFAULT, fapl.get())
                                           : H5Fopen(partial_path.c_str(), flags, fapl.get()));
    const std::string problem = created ? std::string()
                                        : std::string(flags == H5F_ACC_TRUNC ? "cannot create" : "cannot open") +
                                              " spike file '" + partial_path.string() + "': " + hdf5_error_stack_text();
    const std::string agreed = agree_on_failure(ctx, problem);
    if (agreed.empty()) {
      file = std::move(created);
      return;
    }
    // NOTE: a rank whose create succeeded while another's failed cannot close the file (collective); it
    // leaves it open and throws with the others.
    created.release();
    throw input_error(agreed);
  }

  void create_layout() {
    h5_dataspace pair(check(H5Screate_simple(1, std::array<hsize_t, 1>{2}.data(), nullptr), "H5Screate_simple"));
    h5_write_scalar_attribute(check, file.get(), "magic", H5T_NATIVE_UINT32, &sonata_magic, "/ attribute magic");
    h5_write_attribute(check, file.get(), "version", H5T_NATIVE_UINT32, pair.get(), sonata_version,
                       "/ attribute version");
    h5_write_string_attribute(check, file.get(), "run_id", run_id.c_str(), "/ attribute run_id");
    h5_group spikes(
        check(H5Gcreate2(file.get(), "spikes", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), "H5Gcreate2 /spikes"));
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
      d.group = h5_group(check(H5Gopen2(file.get(), where.c_str(), H5P_DEFAULT), "H5Gopen2 " + where));
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
    if (finished) throw internal_error("sonata_spike_writer: write() after close() of '" + final_path.string() + "'");
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
      times[p].push_back(time_ms(s.step));
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
      problem = space.reserve(partial_path, after);
    }
    problem = agree_on_failure(ctx, problem);
    if (!problem.empty()) throw hdf5_error("cannot write spike file '" + final_path.string() + "': " + problem);
  }

  /// NEST's stamp: the end of the step, (step + 1) * dt. When dt is 1/k ms it divides by k instead, which gives
  /// the double nearest the decimal time (0.3, not 3 * 0.1 = 0.30000000000000004), as NEST's integer tics do.
  double time_ms(step_type step) const {
    const auto steps = static_cast<double>(step + 1);
    return steps_per_ms > 0 ? steps / steps_per_ms : steps * dt;
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
    agree_on_input_errors(ctx, [&] {
      write_slab(datasets[p].timestamps, H5T_NATIVE_DOUBLE, times.data(), first, times.size(), where + "/timestamps");
    });
    agree_on_input_errors(ctx, [&] {
      write_slab(datasets[p].node_ids, H5T_NATIVE_UINT64, ids.data(), first, ids.size(), where + "/node_ids");
    });
    written[p] = new_size;
  }

  void write_slab(const h5_dataset& ds, hid_t mem_type, const void* data, hsize_t first, hsize_t count,
                  const std::string& where) {
    h5_dataspace file_space(check(H5Dget_space(ds.get()), "H5Dget_space " + where));
    if (count > 0) {
      check(H5Sselect_hyperslab(file_space.get(), H5S_SELECT_SET, &first, nullptr, &count, nullptr),
            "H5Sselect_hyperslab " + where);
    } else {
      // A rank with nothing to write still joins the collective transfer, with empty selections.
      check(H5Sselect_none(file_space.get()), "H5Sselect_none " + where);
    }
    h5_dataspace mem_space(check(H5Screate_simple(1, &count, nullptr), "H5Screate_simple " + where));
    const std::uint64_t unused = 0;  // HDF5 wants a buffer even for an empty selection
    check(H5Dwrite(ds.get(), mem_type, mem_space.get(), file_space.get(), transfer.get(), data ? data : &unused),
          "H5Dwrite " + where);
  }

  void close() {
    if (finished) return;
    const hdf5_quiet_scope quiet;
    finished = true;
    datasets.clear();  // objects first: while the file is open, closing them is local
    const bool closed = file.close() >= 0;
    std::string problem = agree_on_failure(
        ctx, closed ? std::string() : "closing spike file '" + partial_path.string() + "': " + hdf5_error_stack_text());
    if (ctx.rank() == 0) {
      std::error_code ec;
      if (problem.empty()) {
        trim_file_to_allocation(partial_path);     // best effort: a file with unused reserved space is still whole
        fs::rename(partial_path, final_path, ec);  // atomic on POSIX: the final name never holds a partial file
        if (ec)
          problem = "cannot rename '" + partial_path.string() + "' to '" + final_path.string() + "': " + ec.message();
      }
      if (!problem.empty() && !keep_partial) fs::remove(partial_path, ec);
    }
    // The broadcast also holds every rank until the rename is done: once close() returns, the file is there.
    problem = ctx.broadcast(problem);
    if (!problem.empty()) throw hdf5_error(problem);
  }

  void discard() {
    if (finished) return;
    const hdf5_quiet_scope quiet;
    finished = true;
    datasets.clear();
    file.close();  // a failure is moot: the file is removed next, or kept only for a resume that checks it
    remove_partial_unless_kept();
    ctx.barrier();
  }

  void sync() {
    if (finished) throw internal_error("sonata_spike_writer: sync() after close() of '" + final_path.string() + "'");
    const hdf5_quiet_scope quiet;
    // H5Fflush writes HDF5's caches (and calls MPI_File_sync under MPI-IO); the fsync covers the POSIX driver
    // and rank 0's page cache.
    const bool flushed = H5Fflush(file.get(), H5F_SCOPE_GLOBAL) >= 0;
    std::string problem = agree_on_failure(
        ctx,
        flushed ? std::string() : "flushing spike file '" + partial_path.string() + "': " + hdf5_error_stack_text());
    space.flushed();  // the flush cut the file back to HDF5's end of allocation
    if (problem.empty() && ctx.rank() == 0) problem = sync_to_disk(partial_path);
    problem = ctx.broadcast(problem);
    if (!problem.empty()) throw hdf5_error(problem);
    keep_partial = true;  // a checkpoint may name these positions from now on
  }

  distributed_context ctx;
  fs::path final_path;
  fs::path partial_path;
  std::vector<sonata_population> populations;
  double dt;
  double steps_per_ms;  ///< 1/dt when that is whole, else 0
  std::string run_id;
  std::optional<spike_file_resume> resume;
  bool parallel;  ///< MPI-IO driver with collective transfers, else HDF5's POSIX driver
  int uncaught_at_start;
  hdf5_checker check;
  std::vector<std::uint64_t> written;  ///< per population, all ranks together
  std::vector<std::size_t> by_first_gid;
  h5_file file;
  h5_plist transfer;
  std::vector<population_datasets> datasets;
  spike_file_space space{chunk_elements};  ///< rank 0's reservations
  bool finished = false;
  bool continued = false;     ///< appending to an earlier run's file
  bool keep_partial = false;  ///< a checkpoint may name positions in the partial file: never remove it
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
