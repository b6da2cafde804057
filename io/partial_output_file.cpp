#include "io/partial_output_file.hpp"

#include <exception>
#include <system_error>
#include <vector>

#include "io/output_path.hpp"
#include "partition/error.hpp"
#include "runtime/collective_errors.hpp"

namespace hetspike {

namespace fs = std::filesystem;

partial_output_file::partial_output_file(distributed_context ctx, fs::path final_path, std::string what)
    : ctx_(std::move(ctx)),
      final_path_(std::move(final_path)),
      partial_path_(partial_path_of(final_path_)),
      what_(std::move(what)),
      check_(partial_path_),
      uncaught_at_start_(std::uncaught_exceptions()) {}

partial_output_file::~partial_output_file() {
  if (finished_) return;
  const hdf5_quiet_scope quiet;
  if (h5_uses_mpio(ctx_) && ctx_.size() > 1 && std::uncaught_exceptions() > uncaught_at_start_) {
    // NOTE: closing an MPI-IO file is collective, and while an exception unwinds the other ranks may be
    // anywhere; closing here could hang the job instead of letting main() abort it. So the file stays open:
    // HDF5 closes it at MPI_Finalize if every rank got here, and an aborted job needs no close.
    file_.release();
  } else {
    file_.close();
  }
  remove_partial_unless_kept();
}

void partial_output_file::remove_partial_unless_kept() const {
  std::error_code ignored;
  if (ctx_.rank() == 0 && !keep_partial_) fs::remove(partial_path_, ignored);
}

void partial_output_file::open(bool append) {
  const hdf5_quiet_scope quiet;
  if (!append) {
    const std::string problem =
        agree_on_failure(ctx_, ctx_.rank() == 0 ? output_path_problem(final_path_, what_, true) : std::string());
    if (!problem.empty()) throw input_error(problem);
  }
  const h5_plist fapl = h5_collective_file_access(check_, ctx_);
  h5_file opened(append ? H5Fopen(partial_path_.c_str(), H5F_ACC_RDWR, fapl.get())
                        : H5Fcreate(partial_path_.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl.get()));
  const std::string problem = opened ? std::string()
                                     : std::string(append ? "cannot open " : "cannot create ") + what_ + " '" +
                                           partial_path_.string() + "': " + hdf5_error_stack_text();
  const std::string agreed = agree_on_failure(ctx_, problem);
  if (!agreed.empty()) {
    // NOTE: a rank whose create succeeded while another's failed cannot close the file (collective); it
    // leaves it open and throws with the others.
    opened.release();
    throw input_error(agreed);
  }
  file_ = std::move(opened);
  if (append) keep_partial_ = true;  // it holds an earlier run's data
  transfer_ = h5_collective_transfer(check_, ctx_);
}

void partial_output_file::write_block(const h5_dataset& dataset, hid_t memory_type, const void* data,
                                      std::span<const hsize_t> start, std::span<const hsize_t> count,
                                      const std::string& where) const {
  const int rank = static_cast<int>(count.size());
  h5_dataspace file_space(check_(H5Dget_space(dataset.get()), "H5Dget_space " + where));
  bool empty = false;
  for (const hsize_t c : count) empty = empty || c == 0;
  if (!empty) {
    check_(H5Sselect_hyperslab(file_space.get(), H5S_SELECT_SET, start.data(), nullptr, count.data(), nullptr),
           "H5Sselect_hyperslab " + where);
  } else {
    // A rank with nothing to write still joins the collective transfer, with empty selections.
    check_(H5Sselect_none(file_space.get()), "H5Sselect_none " + where);
  }
  h5_dataspace memory_space(check_(H5Screate_simple(rank, count.data(), nullptr), "H5Screate_simple " + where));
  if (empty) check_(H5Sselect_none(memory_space.get()), "H5Sselect_none " + where);
  const std::uint64_t unused = 0;  // HDF5 wants a buffer even for an empty selection
  check_(H5Dwrite(dataset.get(), memory_type, memory_space.get(), file_space.get(), transfer_.get(),
                  data != nullptr ? data : &unused),
         "H5Dwrite " + where);
}

void partial_output_file::close() {
  if (finished_) return;
  const hdf5_quiet_scope quiet;
  finished_ = true;
  const bool closed = file_.close() >= 0;
  std::string problem = agree_on_failure(
      ctx_,
      closed ? std::string() : "closing " + what_ + " '" + partial_path_.string() + "': " + hdf5_error_stack_text());
  if (ctx_.rank() == 0) {
    std::error_code ec;
    if (problem.empty()) {
      trim_file_to_allocation(partial_path_);      // best effort: a file with unused reserved space is still whole
      fs::rename(partial_path_, final_path_, ec);  // atomic on POSIX: the final name never holds a partial file
      if (ec)
        problem = "cannot rename '" + partial_path_.string() + "' to '" + final_path_.string() + "': " + ec.message();
    }
    if (!problem.empty() && !keep_partial_) fs::remove(partial_path_, ec);
  }
  // The broadcast also holds every rank until the rename is done: once close() returns, the file is there.
  problem = ctx_.broadcast(problem);
  if (!problem.empty()) throw hdf5_error(problem);
}

void partial_output_file::discard() {
  if (finished_) return;
  const hdf5_quiet_scope quiet;
  finished_ = true;
  file_.close();  // a failure is moot: the file is removed next, or kept only for a resume that checks it
  remove_partial_unless_kept();
  ctx_.barrier();
}

void partial_output_file::sync() {
  const hdf5_quiet_scope quiet;
  // H5Fflush writes HDF5's caches (and calls MPI_File_sync under MPI-IO); the fsync covers the POSIX driver
  // and rank 0's page cache.
  const bool flushed = H5Fflush(file_.get(), H5F_SCOPE_GLOBAL) >= 0;
  std::string problem = agree_on_failure(
      ctx_,
      flushed ? std::string() : "flushing " + what_ + " '" + partial_path_.string() + "': " + hdf5_error_stack_text());
  if (problem.empty() && ctx_.rank() == 0) problem = sync_to_disk(partial_path_);
  problem = ctx_.broadcast(problem);
  if (!problem.empty()) throw hdf5_error(problem);
  keep_partial_ = true;  // a checkpoint may name these positions from now on
}

std::string file_space_reservation::reserve(const fs::path& file, std::uint64_t data, std::size_t datasets) {
  // HDF5 allocates whole chunks as a dataset grows (`data` counts them). The chunk indexes grow far slower (tens
  // of bytes a chunk), headers not at all; 64 KiB covers HDF5's metadata blocks and a flush's worth of dirty
  // metadata.
  const std::uint64_t growth = data + data / 64 + (std::uint64_t{64} << 10) + datasets * (8u << 10);
  if (base_ + growth <= reserved_) return {};
  const std::uint64_t target = base_ + growth + growth / 4;  // a quarter more: one fallocate() per many appends
  std::string problem = reserve_file_space(file, target);
  if (problem.empty()) reserved_ = target;
  return problem;
}

std::string prepare_continuation(const fs::path& final_path, const fs::path& partial,
                                 const std::function<std::string(const fs::path&)>& qualifies,
                                 const std::function<void(const fs::path&)>& cut) {
  const hdf5_quiet_scope quiet;
  std::string reasons;
  for (const fs::path& candidate : {partial, final_path}) {
    std::string problem;
    std::error_code ec;
    try {
      if (!fs::is_regular_file(candidate, ec)) continue;
      problem = qualifies(candidate);
      if (problem.empty() && candidate != partial)
        fs::copy_file(candidate, partial, fs::copy_options::overwrite_existing, ec);
      if (ec) problem = "cannot copy it to '" + partial.string() + "': " + ec.message();
      if (problem.empty()) cut(partial);
    } catch (const std::exception& e) {
      problem = e.what();
    }
    if (problem.empty()) return {};
    reasons += (reasons.empty() ? "" : "; ") + candidate.string() + ": " + problem;
  }
  return reasons.empty() ? "neither '" + partial.string() + "' nor '" + final_path.string() + "' exists" : reasons;
}

}  // namespace hetspike
