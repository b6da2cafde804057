#include "io/sonata_spike_writer.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <exception>
#include <iterator>
#include <system_error>

#include "io/hdf5_handle.hpp"
#include "partition/error.hpp"
#include "runtime/mpi_context.hpp"

namespace hetspike {

namespace fs = std::filesystem;

namespace {

// 16 Ki elements per chunk (128 KiB of timestamps): a long run's appends touch few chunks, and a population
// that hardly spikes does not cost megabytes of file.
constexpr hsize_t chunk_elements = hsize_t{1} << 14;

// SONATA asks every HDF5 file for these two root attributes (developer guide, "Common conventions: HDF5").
constexpr std::uint32_t sonata_magic = 0x0A7A;
constexpr std::uint32_t sonata_version[2] = {0, 1};

/// The values of the `sorting` attribute. libsonata reads it into an enum over char with these names, and
/// HDF5 converts enum to enum by name, so the names are the contract.
enum class sonata_sorting : std::int8_t { none = 0, by_id = 1, by_time = 2 };

constexpr std::size_t no_population = static_cast<std::size_t>(-1);

/// Whole steps per ms when dt divides 1 ms exactly (dt = 0.1 gives 10), else 0.
double whole_steps_per_ms(double dt_ms) {
  const double k = std::round(1.0 / dt_ms);
  return k >= 1 && k * dt_ms == 1.0 ? k : 0.0;
}

fs::path partial_path_of(const fs::path& final_path) {
  fs::path p = final_path;
  p += ".partial";
  return p;
}

/// Rank 0 only: can the partial file be created next to the final one? It creates it (HDF5 truncates it
/// later), so a missing directory, a read-only file system or a final name that is a directory fails here,
/// with the OS's reason, before any collective HDF5 call. Returns the problem, or an empty string.
std::string probe_output_path(const fs::path& final_path, const fs::path& partial) {
  const std::string prefix = "cannot write spike file '" + final_path.string() + "': ";
  const fs::path dir = final_path.has_parent_path() ? final_path.parent_path() : fs::path(".");
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return prefix + "directory '" + dir.string() + "' does not exist";
  if (fs::is_directory(final_path, ec)) return prefix + "it is a directory";
  errno = 0;
  std::FILE* f = std::fopen(partial.c_str(), "wb");
  if (f == nullptr) return prefix + "cannot create '" + partial.string() + "': " + std::strerror(errno);
  std::fclose(f);
  return {};
}

/// For a step that must succeed on every rank or fail on every rank (a rank that throws alone leaves the others
/// waiting in the next collective): empty if every rank's `problem` is empty, else the lowest failing rank's.
std::string agree_on_failure(const distributed_context& ctx, const std::string& problem) {
  const auto mine = static_cast<std::int64_t>(problem.empty() ? ctx.size() : ctx.rank());
  const auto first = ctx.min(mine);
  if (first == ctx.size()) return {};
  return ctx.broadcast(problem, static_cast<int>(first));
}

void validate(const std::vector<sonata_population>& populations, double dt_ms, const fs::path& path) {
  if (!(dt_ms > 0) || !std::isfinite(dt_ms))
    throw internal_error("sonata_spike_writer for '" + path.string() + "': dt must be positive, got " +
                         std::to_string(dt_ms) + " ms");
  for (std::size_t i = 0; i < populations.size(); ++i) {
    const auto& name = populations[i].name;
    // The name becomes an HDF5 link name: '/' would nest groups and "." names the parent.
    if (name.empty() || name == "." || name.find('/') != std::string::npos)
      throw input_error("spike file '" + path.string() + "': population name '" + name +
                        "' cannot name an HDF5 group (it must be non-empty, not '.', and contain no '/')");
    for (std::size_t j = 0; j < i; ++j)
      if (populations[j].name == name)
        throw input_error("spike file '" + path.string() + "': population '" + name + "' is listed twice");
  }
}

/// Population indices ordered by first gid, for the binary search in population_of(); throws if ranges overlap.
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

h5_plist chunked_dataset_plist(const hdf5_checker& check) {
  h5_plist dcpl(check(H5Pcreate(H5P_DATASET_CREATE), "H5Pcreate dataset creation"));
  check(H5Pset_chunk(dcpl.get(), 1, &chunk_elements), "H5Pset_chunk");
  // Every element is written right after the extent grows; filling it first would write the data twice.
  check(H5Pset_fill_time(dcpl.get(), H5D_FILL_TIME_NEVER), "H5Pset_fill_time");
  return dcpl;
}

h5_datatype sorting_enum_type(const hdf5_checker& check) {
  // One byte, so the same type serves as file and memory type on any byte order.
  h5_datatype type(check(H5Tenum_create(H5T_STD_I8LE), "H5Tenum_create sorting"));
  const std::pair<const char*, sonata_sorting> members[] = {
      {"none", sonata_sorting::none}, {"by_id", sonata_sorting::by_id}, {"by_time", sonata_sorting::by_time}};
  for (const auto& [name, value] : members) check(H5Tenum_insert(type.get(), name, &value), "H5Tenum_insert");
  return type;
}

}  // namespace

struct sonata_spike_writer::impl {
  struct population_datasets {
    h5_group group;
    h5_dataset timestamps;
    h5_dataset node_ids;
  };

  impl(distributed_context c, fs::path final_p, std::vector<sonata_population> pops, double dt_ms)
      : ctx(std::move(c)),
        final_path(std::move(final_p)),
        partial_path(partial_path_of(final_path)),
        populations(std::move(pops)),
        dt(dt_ms),
        steps_per_ms(whole_steps_per_ms(dt_ms)),
        // A local context has no MPI (and maybe no MPI_Init): it writes through HDF5's POSIX driver.
        parallel(mpi_communicator(ctx) != MPI_COMM_SELF),
        uncaught_at_start(std::uncaught_exceptions()),
        check(partial_path),
        written(populations.size(), 0) {
    validate(populations, dt, final_path);
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
    std::error_code ignored;
    if (ctx.rank() == 0) fs::remove(partial_path, ignored);
  }

  void open() {
    const hdf5_quiet_scope quiet;
    const std::string problem =
        agree_on_failure(ctx, ctx.rank() == 0 ? probe_output_path(final_path, partial_path) : std::string());
    if (!problem.empty()) throw input_error(problem);
    create_file();
    create_layout();
    transfer = h5_plist(check(H5Pcreate(H5P_DATASET_XFER), "H5Pcreate transfer"));
    if (parallel) check(H5Pset_dxpl_mpio(transfer.get(), H5FD_MPIO_COLLECTIVE), "H5Pset_dxpl_mpio");
  }

  void create_file() {
    h5_plist fapl(check(H5Pcreate(H5P_FILE_ACCESS), "H5Pcreate file access"));
    if (parallel) {
      check(H5Pset_fapl_mpio(fapl.get(), mpi_communicator(ctx), MPI_INFO_NULL), "H5Pset_fapl_mpio");
      // Metadata read and written collectively: one rank touches the file system and shares the result,
      // instead of thousands of ranks reading the same bytes at once.
      check(H5Pset_all_coll_metadata_ops(fapl.get(), true), "H5Pset_all_coll_metadata_ops");
      check(H5Pset_coll_metadata_write(fapl.get(), true), "H5Pset_coll_metadata_write");
    }
    h5_file created(H5Fcreate(partial_path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl.get()));
    const std::string problem =
        created ? std::string()
                : "cannot create spike file '" + partial_path.string() + "': " + hdf5_error_stack_text();
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
    for (std::size_t p = 0; p < n; ++p) {
      std::uint64_t offset = 0, total = 0;
      for (int r = 0; r < ctx.size(); ++r) {
        const std::uint64_t c = all[static_cast<std::size_t>(r) * (n + 2) + p];
        if (r < ctx.rank()) offset += c;
        total += c;
      }
      if (total > 0) append(p, offset, total, ids[p], times[p]);
    }
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
    check(H5Dset_extent(datasets[p].timestamps.get(), &new_size), "H5Dset_extent " + where + "/timestamps");
    check(H5Dset_extent(datasets[p].node_ids.get(), &new_size), "H5Dset_extent " + where + "/node_ids");
    const hsize_t first = written[p] + offset;
    write_slab(datasets[p].timestamps, H5T_NATIVE_DOUBLE, times.data(), first, times.size(), where + "/timestamps");
    write_slab(datasets[p].node_ids, H5T_NATIVE_UINT64, ids.data(), first, ids.size(), where + "/node_ids");
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
        fs::rename(partial_path, final_path, ec);  // atomic on POSIX: the final name never holds a partial file
        if (ec)
          problem = "cannot rename '" + partial_path.string() + "' to '" + final_path.string() + "': " + ec.message();
      }
      if (!problem.empty()) fs::remove(partial_path, ec);
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
    file.close();  // a failure is moot: the file is removed next
    if (ctx.rank() == 0) {
      std::error_code ignored;
      fs::remove(partial_path, ignored);
    }
    ctx.barrier();
  }

  distributed_context ctx;
  fs::path final_path;
  fs::path partial_path;
  std::vector<sonata_population> populations;
  double dt;
  double steps_per_ms;  ///< 1/dt when that is whole, else 0
  bool parallel;        ///< MPI-IO driver with collective transfers, else HDF5's POSIX driver
  int uncaught_at_start;
  hdf5_checker check;
  std::vector<std::uint64_t> written;  ///< per population, all ranks together
  std::vector<std::size_t> by_first_gid;
  h5_file file;
  h5_plist transfer;
  std::vector<population_datasets> datasets;
  bool finished = false;
};

sonata_spike_writer::sonata_spike_writer(distributed_context ctx, fs::path final_path,
                                         std::vector<sonata_population> populations, double dt_ms)
    : impl_(std::make_unique<impl>(std::move(ctx), std::move(final_path), std::move(populations), dt_ms)) {
  // Two steps, so that ~impl (which removes the partial file) runs if opening fails half-way.
  impl_->open();
}

sonata_spike_writer::~sonata_spike_writer() = default;

void sonata_spike_writer::write(std::span<const recorded_spike> spikes) { impl_->write(spikes); }
void sonata_spike_writer::close() { impl_->close(); }
void sonata_spike_writer::discard() { impl_->discard(); }
std::vector<std::uint64_t> sonata_spike_writer::counts() const { return impl_->written; }
const fs::path& sonata_spike_writer::path() const { return impl_->final_path; }

}  // namespace hetspike
