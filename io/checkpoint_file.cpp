// Writing checkpoints (hdf5_checkpoint_store) and finding them (checkpoint_path, list_checkpoints).
#include "io/checkpoint_file.hpp"

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <fstream>
#include <optional>
#include <type_traits>
#include <utility>

#include <unistd.h>

#include "io/checkpoint_layout.hpp"
#include "runtime/collective_errors.hpp"

namespace hetspike {

namespace fs = std::filesystem;
using namespace checkpoint_detail;

namespace {

constexpr char kill_hook_variable[] = "HETSPIKE_KILL_DURING_CHECKPOINT";

/// HETSPIKE_KILL_DURING_CHECKPOINT=RANK:N as {RANK, N}; {-1, 0} when unset.
std::pair<int, int> parse_kill_hook() {
  const char* value = std::getenv(kill_hook_variable);
  if (value == nullptr || *value == '\0') return {-1, 0};
  int rank = -1, n = 0, consumed = 0;
  if (std::sscanf(value, "%d:%d%n", &rank, &n, &consumed) != 2 || value[consumed] != '\0' || rank < 0 || n < 1)
    throw input_error(std::string(kill_hook_variable) + "='" + value + "': expected RANK:N (a rank and a checkpoint " +
                      "number from 1)");
  return {rank, n};
}

/// Rank 0, at construction: creates the directory, proves it writable with a probe file, and removes partial
/// checkpoints that a killed run left (a partial file is never resumed). Returns the problem, or "".
std::string prepare_directory(const fs::path& dir) {
  const std::string prefix = "checkpoint directory '" + dir.string() + "': ";
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return prefix + "cannot create it: " + ec.message();
  if (!fs::is_directory(dir, ec)) return prefix + "not a directory";
  const fs::path probe = dir / (".hetspike-write-test-" + std::to_string(::getpid()));
  const bool written = static_cast<bool>(std::ofstream(probe) << "hetspike\n");
  fs::remove(probe, ec);
  if (!written) return prefix + "not writable";
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.starts_with(".checkpoint-") && name.ends_with(".h5.partial")) fs::remove(entry.path(), ec);
  }
  return {};
}

/// The step of a `checkpoint-<digits>.h5` name, or -1 for any other name.
long long step_of_name(const std::string& name) {
  constexpr std::string_view prefix = "checkpoint-", suffix = ".h5";
  if (name.size() <= prefix.size() + suffix.size() || !name.starts_with(prefix) || !name.ends_with(suffix)) return -1;
  const std::string digits = name.substr(prefix.size(), name.size() - prefix.size() - suffix.size());
  if (digits.size() > 18 || !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return -1;
  return std::stoll(digits);
}

/// Bytes to reserve for a checkpoint: its data plus generous room for HDF5's metadata (object headers,
/// indexes, attributes). Too much costs nothing: the file is cut back to HDF5's end of allocation after closing.
std::uint64_t estimated_size(const checkpoint_header& h, std::span<const checkpoint_field> fields) {
  constexpr std::uint64_t per_dataset = 16 << 10;
  std::uint64_t bytes = (std::uint64_t{64} << 10) + 3 * per_dataset;  // superblock, groups, /recorder, /contents
  for_each_text(h, [&](const char*, const std::string& text) { bytes += text.size() + 4 + per_dataset; });
  for (const auto& name : h.recorded_populations) bytes += 8 + 2 * (name.size() + 8);
  for_each_count_list(h, [&](const char*, const auto& counts) { bytes += per_dataset + 8 * counts.size(); });
  std::size_t longest = std::strlen("/recorder/populations");
  for (const auto& f : fields) {
    const hsize_t dims[2] = {f.rows, f.global_columns};
    bytes += stored_bytes(dims, size_of(f.type)) + per_dataset;
    longest = std::max(longest, f.name.size() + std::strlen("/state/"));
  }
  bytes += (fields.size() + 6) * longest + 4;  // /contents: every path, padded to the longest
  return bytes + bytes / 256;
}

/// Rank 0, once the partial file is complete and closed on every rank: makes it durable, gives it its final
/// name, then removes the oldest checkpoints beyond `keep`. Returns the problem, or "".
std::string publish(const fs::path& partial, const fs::path& final_path, int keep) {
  std::string problem = trim_file_to_allocation(partial);
  if (problem.empty()) problem = sync_to_disk(partial);
  std::error_code ec;
  if (problem.empty()) fs::rename(partial, final_path, ec);  // atomic: the final name never holds half a file
  if (ec) problem = "cannot rename '" + partial.string() + "': " + ec.message();
  if (!problem.empty()) {
    fs::remove(partial, ec);
    return problem;
  }
  const fs::path dir = final_path.parent_path();
  sync_to_disk(dir);  // best effort: some file systems refuse fsync on a directory; the checkpoint is whole anyway
  int kept = 1;       // the new one always stays, even if an older run left higher steps here
  for (const auto& old : list_checkpoints(dir))
    if (old != final_path && ++kept > keep) fs::remove(old, ec);
  return {};
}

template <class T>
void write_attribute(hid_t owner, const char* name, const T& value) {
  h5_dataspace scalar(h5_ok(H5Screate(H5S_SCALAR), "H5Screate"));
  if constexpr (std::is_same_v<T, std::string>) {
    // Variable-length UTF-8, as h5py writes a str: attributes are metadata, which parallel HDF5 can write so.
    h5_datatype type(h5_ok(H5Tcopy(H5T_C_S1), "H5Tcopy"));
    h5_ok(H5Tset_size(type.get(), H5T_VARIABLE), "H5Tset_size");
    h5_ok(H5Tset_cset(type.get(), H5T_CSET_UTF8), "H5Tset_cset");
    const char* text = value.c_str();
    h5_attribute a(h5_ok(H5Acreate2(owner, name, type.get(), scalar.get(), H5P_DEFAULT, H5P_DEFAULT), "H5Acreate2"));
    h5_ok(H5Awrite(a.get(), type.get(), &text), "H5Awrite");
  } else {
    const auto [file_type, memory_type] = attribute_types<T>();
    h5_attribute a(h5_ok(H5Acreate2(owner, name, file_type, scalar.get(), H5P_DEFAULT, H5P_DEFAULT), "H5Acreate2"));
    h5_ok(H5Awrite(a.get(), memory_type, &value), "H5Awrite");
  }
}

/// One checkpoint being written to its partial file. Every collective HDF5 call is one step, agreed over the
/// ranks; a failed step closes and removes the partial file on every rank and throws the same input_error.
class checkpoint_writer {
 public:
  checkpoint_writer(distributed_context ctx, fs::path partial, fs::path final_path)
      : ctx_(std::move(ctx)),
        partial_(std::move(partial)),
        final_(std::move(final_path)),
        uncaught_at_start_(std::uncaught_exceptions()) {}

  /// Only reached without finish() when something other than an agreed failure unwinds (a bug): the other
  /// ranks may be anywhere, so an MPI file is let go rather than closed collectively.
  ~checkpoint_writer() {
    if (!file_) return;
    const hdf5_quiet_scope quiet;
    if (h5_uses_mpio(ctx_) && ctx_.size() > 1 && std::uncaught_exceptions() > uncaught_at_start_)
      file_.release();
    else
      file_.close();
    std::error_code ignored;
    if (ctx_.rank() == 0) fs::remove(partial_, ignored);
  }

  checkpoint_writer(const checkpoint_writer&) = delete;
  checkpoint_writer& operator=(const checkpoint_writer&) = delete;

  void create() {
    std::string problem;
    try {
      const h5_plist fapl = h5_collective_file_access(hdf5_checker(partial_), ctx_);
      file_ = h5_file(h5_ok(H5Fcreate(partial_.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl.get()), "H5Fcreate"));
      transfer_ = h5_collective_transfer(hdf5_checker(partial_), ctx_);
      link_ = h5_plist(h5_ok(H5Pcreate(H5P_LINK_CREATE), "H5Pcreate link creation"));
      h5_ok(H5Pset_create_intermediate_group(link_.get(), 1), "H5Pset_create_intermediate_group");
    } catch (const input_error& e) {
      problem = e.what();
    }
    problem = agree_on_failure(ctx_, problem);
    if (problem.empty()) return;
    file_.release();  // NOTE: where the create succeeded, closing would wait for the ranks where it failed
    fail("the file", problem);
  }

  void write_header(const checkpoint_header& h) {
    const hid_t root = file_.get();
    step("attribute magic", [&] { write_attribute(root, "magic", std::string(magic)); });
    step("attribute format_version", [&] { write_attribute(root, "format_version", format_version); });
    for_each_attribute(h, [&](const char* name, const auto& value) {
      step(std::string("attribute ") + name, [&] { write_attribute(root, name, value); });
    });
    for (const char* group : {"/model", "/recorder", "/state"})
      step(group, [&] {
        const h5_group g(h5_ok(H5Gcreate2(root, group, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), "H5Gcreate2"));
      });
    // Small datasets come from rank 0 alone; the others join the collective write with nothing selected.
    const hsize_t mine = ctx_.rank() == 0 ? 1 : 0;
    for_each_text(h, [&](const char* path, const std::string& text) {
      const h5_datatype type = fixed_string_type(text.size());
      write_dataset(path, type.get(), type.get(), H5Tget_size(type.get()), {{1}, 0, mine}, text.c_str());
    });
    const std::size_t n = h.recorded_populations.size();
    std::size_t width = 1;
    for (const auto& name : h.recorded_populations) width = std::max(width, name.size());
    std::vector<char> names(n * width + 1, '\0');
    for (std::size_t i = 0; i < n; ++i) h.recorded_populations[i].copy(names.data() + i * width, width);
    const h5_datatype name_type = fixed_string_type(width);
    write_dataset("/recorder/populations", name_type.get(), name_type.get(), width, {{n}, 0, mine * n}, names.data());
    write_dataset("/recorder/spikes", H5T_STD_U64LE, H5T_NATIVE_UINT64, 8, {{n}, 0, mine * n},
                  h.recorded_spikes.data());
    for_each_count_list(h, [&](const char* path, const std::vector<std::uint64_t>& counts) {
      const hsize_t k = counts.size();
      write_dataset(path, H5T_STD_U64LE, H5T_NATIVE_UINT64, 8, {{k}, 0, mine * k}, counts.data());
    });
  }

  void write_field(const checkpoint_field& f) {
    write_dataset(state_path(f.name), file_type_of(f.type), memory_type_of(f.type), size_of(f.type), block_of(f),
                  f.data);
  }

  /// Flushes and closes the partial file on every rank; it is complete when this returns.
  void finish() {
    std::size_t width = 1;
    for (const auto& path : written_) width = std::max(width, path.size());
    std::vector<char> paths(written_.size() * width + 1, '\0');
    for (std::size_t i = 0; i < written_.size(); ++i) written_[i].copy(paths.data() + i * width, width);
    const h5_datatype type = fixed_string_type(width);
    const hsize_t n = written_.size(), mine = ctx_.rank() == 0 ? n : 0;
    write_dataset(contents_path, type.get(), type.get(), width, {{n}, 0, mine}, paths.data());
    step("the file", [&] { h5_ok(H5Fflush(file_.get(), H5F_SCOPE_GLOBAL), "H5Fflush"); });
    const bool closed = file_.close() >= 0;
    const std::string problem = agree_on_failure(ctx_, closed ? std::string() : "H5Fclose failed");
    if (!problem.empty()) fail("the file", problem);
  }

  /// See reserve_file_space(): a failure here leaves HDF5 nothing to write at close but an empty file's
  /// metadata, so the close succeeds and the error is clean.
  void reserve(std::uint64_t bytes) {
    const std::string problem = agree_on_failure(ctx_, ctx_.rank() == 0 ? reserve_file_space(partial_, bytes) : "");
    if (!problem.empty()) fail("the file", problem);
  }

  [[noreturn]] void fail(const std::string& object, const std::string& problem) {
    // Every rank is here (the failure was agreed), so the collective close is safe.
    file_.close();
    std::error_code ignored;
    if (ctx_.rank() == 0) fs::remove(partial_, ignored);
    ctx_.barrier();  // the partial file is gone for every rank once the error is thrown
    throw input_error("checkpoint " + final_.string() + ": cannot write " + object + ": " + problem +
                      "; earlier checkpoints are untouched");
  }

 private:
  template <class F>
  auto step(const std::string& object, F&& f) -> std::invoke_result_t<F> {
    auto [problem, result] = run_and_agree(ctx_, std::forward<F>(f));
    if (!problem.empty()) fail(object, problem);
    if constexpr (!std::is_void_v<std::invoke_result_t<F>>) return std::move(*result);
  }

  /// Creates `path` (groups on the way), writes this rank's `block` collectively and the dataset's checksum.
  void write_dataset(const std::string& path, hid_t file_type, hid_t memory_type, std::size_t element_bytes,
                     const column_block& block, const void* data) {
    h5_dataset ds = step(path, [&] {
      const h5_plist dcpl = dataset_layout(block.dims, element_bytes);
      h5_dataspace space(
          h5_ok(H5Screate_simple(static_cast<int>(block.dims.size()), block.dims.data(), nullptr), "H5Screate_simple"));
      return h5_dataset(
          h5_ok(H5Dcreate2(file_.get(), path.c_str(), file_type, space.get(), link_.get(), dcpl.get(), H5P_DEFAULT),
                "H5Dcreate2"));
    });
    std::string problem;
    if (num_elements(block.dims) > 0) {
      try {
        const auto spaces = select_block(ds.get(), block);
        const std::uint64_t unused = 0;  // HDF5 wants a buffer even for an empty selection
        h5_ok(H5Dwrite(ds.get(), memory_type, spaces.memory.get(), spaces.file.get(), transfer_.get(),
                       data != nullptr ? data : &unused),
              "H5Dwrite");
      } catch (const input_error& e) {
        problem = e.what();
      }
    }
    problem = agree_on_failure(ctx_, problem);
    if (problem.empty()) {  // the whole dataset's checksum, from every rank's block, as an attribute (collective)
      const std::uint64_t sum =
          sum_over_ranks(ctx_, block.count > 0 ? block_checksum(block, data, element_bytes) : std::uint64_t{0});
      try {
        write_attribute(ds.get(), checksum_attribute, sum);
      } catch (const input_error& e) {
        problem = e.what();
      }
    }
    if (ds.close() < 0 && problem.empty()) problem = "H5Dclose failed (" + hdf5_error_stack_text() + ")";
    problem = agree_on_failure(ctx_, problem);
    if (!problem.empty()) fail(path, problem);
    written_.push_back(path);
  }

  distributed_context ctx_;
  fs::path partial_;
  fs::path final_;
  int uncaught_at_start_;
  h5_file file_;
  h5_plist transfer_;
  h5_plist link_;                     ///< creates missing groups along a dataset's path
  std::vector<std::string> written_;  ///< every dataset so far, for /contents
};

}  // namespace

fs::path checkpoint_path(const fs::path& dir, std::int64_t step) {
  if (step < 0) throw internal_error("checkpoint_path: negative step " + std::to_string(step));
  char name[64];
  std::snprintf(name, sizeof name, "checkpoint-%012lld.h5", static_cast<long long>(step));
  return dir / name;
}

fs::path partial_checkpoint_path(const fs::path& dir, std::int64_t step) {
  if (step < 0) throw internal_error("partial_checkpoint_path: negative step " + std::to_string(step));
  char name[64];
  std::snprintf(name, sizeof name, ".checkpoint-%012lld.h5.partial", static_cast<long long>(step));
  return dir / name;
}

fs::path longest_partial_checkpoint_path(const fs::path& dir) {
  return partial_checkpoint_path(dir, 9'999'999'999'999);  // 2^40 steps have 13 digits
}

std::vector<fs::path> list_checkpoints(const fs::path& dir) {
  std::vector<std::pair<long long, fs::path>> found;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    const long long step = step_of_name(entry.path().filename().string());
    if (step >= 0 && entry.is_regular_file(ec)) found.emplace_back(step, entry.path());
  }
  std::sort(found.begin(), found.end(), [](const auto& a, const auto& b) { return a > b; });
  std::vector<fs::path> paths;
  for (auto& [step, path] : found) paths.push_back(std::move(path));
  return paths;
}

hdf5_checkpoint_store::hdf5_checkpoint_store(distributed_context ctx, fs::path dir, int keep)
    : ctx_(std::move(ctx)), dir_(std::move(dir)), keep_(keep) {
  agree_on_input_errors(ctx_, [&] {
    if (keep_ < 1)
      throw input_error("checkpoint directory '" + dir_.string() + "': keep must be at least 1, got " +
                        std::to_string(keep_));
    std::tie(kill_rank_, kill_at_) = parse_kill_hook();
  });
  const std::string problem = agree_on_failure(ctx_, ctx_.rank() == 0 ? prepare_directory(dir_) : std::string());
  if (!problem.empty()) throw input_error(problem);
}

std::string hdf5_checkpoint_store::write(const checkpoint_header& header, std::span<const checkpoint_field> fields) {
  const hdf5_quiet_scope quiet;
  const fs::path final_path = checkpoint_path(dir_, header.step);
  if (header.recorded_populations.size() != header.recorded_spikes.size())
    throw internal_error("checkpoint " + final_path.string() + ": " +
                         std::to_string(header.recorded_populations.size()) + " recorded populations but " +
                         std::to_string(header.recorded_spikes.size()) + " spike counts");
  check_fields(ctx_, fields, "checkpoint " + final_path.string());
  const bool kill_here = ++checkpoints_ == kill_at_ && ctx_.rank() == kill_rank_;
  checkpoint_header h = header;
  h.ranks = ctx_.size();

  const fs::path partial = partial_checkpoint_path(dir_, h.step);
  checkpoint_writer writer(ctx_, partial, final_path);
  writer.create();
  writer.reserve(estimated_size(h, fields));
  writer.write_header(h);
  if (kill_here && fields.empty()) std::raise(SIGKILL);
  for (std::size_t i = 0; i < fields.size(); ++i) {
    writer.write_field(fields[i]);
    if (kill_here && i + 1 == (fields.size() + 1) / 2) std::raise(SIGKILL);  // the test hook (see the header)
  }
  writer.finish();

  std::string problem = ctx_.rank() == 0 ? publish(partial, final_path, keep_) : std::string();
  // Holds every rank until the rename is done: once write() returns, the checkpoint is there.
  problem = ctx_.broadcast(problem);
  if (!problem.empty())
    throw input_error("checkpoint " + final_path.string() + ": cannot write the file: " + problem +
                      "; earlier checkpoints are untouched");
  return final_path.string();
}

}  // namespace hetspike
