#pragma once
// Private to io/checkpoint_*.cpp: the pieces of the checkpoint file layout (see checkpoint_file.hpp) that the
// writer, the reader and `inspect` share, so that the three cannot disagree about names and types.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

#include "io/hdf5_handle.hpp"
#include "runtime/checkpoint.hpp"
#include "runtime/distributed_context.hpp"

namespace hetspike::checkpoint_detail {

inline constexpr char magic[] = "hetspike-checkpoint";
/// 2 added /recorder/weight_samples and /recorder/weight_synapses (a format-1 file has neither: no weight recorders).
inline constexpr std::int32_t format_version = 2;
/// Lists every other dataset the writer wrote, so that `inspect` can tell a deleted one.
inline constexpr char contents_path[] = "/contents";

/// Throws hdf5_error "<call> failed (<HDF5's reason>)" if `status` is negative. The caller's message adds the
/// file and the object, so unlike hdf5_checker this names neither.
template <class T>
T h5_ok(T status, const char* call) {
  if (status < 0) {
    const std::string reason = hdf5_error_stack_text();
    throw hdf5_error(std::string(call) + " failed" + (reason.empty() ? "" : " (" + reason + ")"));
  }
  return status;
}

/// Little-endian file type, native memory type, size and short name ("f64") of a field type.
hid_t file_type_of(field_type t);
hid_t memory_type_of(field_type t);
std::size_t size_of(field_type t);
const char* name_of(field_type t);
/// The field type stored as `stored` (any byte order), if it is one of ours.
std::optional<field_type> stored_field_type(hid_t stored);

/// "[2, 1000]".
std::string shape_text(std::span<const hsize_t> dims);
std::uint64_t num_elements(std::span<const hsize_t> dims);
/// The stored shape of a dataset.
std::vector<hsize_t> dims_of(hid_t dataset);

/// Every row, columns [first, first + count) of the last dimension: what one rank writes or reads.
struct column_block {
  std::vector<hsize_t> dims;  ///< the dataset's global shape (1-D or 2-D)
  hsize_t first = 0;
  hsize_t count = 0;
  hsize_t stride = 0;  ///< elements between rows in memory; 0: count (packed)
  hsize_t memory_stride() const { return stride == 0 ? count : stride; }
};
column_block block_of(const checkpoint_field& f);

/// The dataset's file space with `block` selected (nothing when it is empty) and a matching memory space.
struct block_spaces {
  h5_dataspace file;
  h5_dataspace memory;
};
block_spaces select_block(hid_t dataset, const column_block& block);

/// The bytes a dataset takes in the file, for reserving space.
std::uint64_t stored_bytes(std::span<const hsize_t> dims, std::size_t element_bytes);

/// Creation properties of a dataset: contiguous, allocated at creation, never filled (every element is
/// written once). Contiguous rather than chunked with HDF5's Fletcher32 filter: filtered chunks shared by
/// several ranks' blocks make parallel HDF5 gather and checksum each chunk on one rank, which cost 4-8x the
/// time `dd` needs for the same bytes. The checksum is ours instead (block_checksum).
h5_plist dataset_layout(std::span<const hsize_t> dims, std::size_t element_bytes);

/// The name of a dataset's checksum attribute (u64).
inline constexpr char checksum_attribute[] = "checksum";

/// The part of a dataset's checksum that one rank's block contributes: the sum, modulo 2^64, over its elements
/// of a strong 64-bit mix of (global element index, element bytes). Sums of blocks add up to the whole
/// dataset's checksum whatever the split, so a checkpoint written on some ranks verifies when read on others;
/// a changed byte changes it except with probability 2^-64. `data` holds block.count columns of every row.
std::uint64_t block_checksum(const column_block& block, const void* data, std::size_t element_bytes);

/// Collective: the sum modulo 2^64 of every rank's value.
std::uint64_t sum_over_ranks(const distributed_context& ctx, std::uint64_t value);

/// A fixed-length, null-padded UTF-8 string type of `bytes` bytes (at least 1: HDF5 has no empty fixed string).
/// Fixed length because parallel HDF5 cannot write variable-length data.
h5_datatype fixed_string_type(std::size_t bytes);

/// "/state/" + name. internal_error if the name cannot be an HDF5 path (empty parts, ".", "..", leading '/').
std::string state_path(const std::string& field_name);

/// Collective: throws internal_error on every rank unless the fields' names, types and shapes are the same on
/// every rank and the column blocks lie inside their arrays and add up to them. `what` names the file.
void check_fields(const distributed_context& ctx, std::span<const checkpoint_field> fields, const std::string& what);

/// Calls visit(name, member) for each scalar root attribute of the header (numbers and short strings), in file
/// order. Works on a const header (writing) and a mutable one (reading).
template <class Header, class Visit>
void for_each_attribute(Header& h, Visit&& visit) {
  static_assert(std::is_same_v<std::remove_const_t<Header>, checkpoint_header>);
  visit("step", h.step);
  visit("dt", h.dt);
  visit("d_min", h.d_min);
  visit("d_max", h.d_max);
  visit("ranks", h.ranks);
  visit("seed", h.seed);
  visit("t_presim", h.t_presim);
  visit("spikes", h.spikes);
  visit("spike_hash", h.spike_hash);
  visit("synaptic_events", h.synaptic_events);
  visit("spikes_emitted", h.spikes_emitted);
  visit("model_hash", h.model_hash);
  visit("hetspike_version", h.hetspike_version);
  visit("build_id", h.build_id);
  visit("run_id", h.run_id);
}

/// Calls visit(dataset path, member) for each long text of the header, stored under /model.
template <class Header, class Visit>
void for_each_text(Header& h, Visit&& visit) {
  visit("/model/text", h.model_text);
  visit("/model/source", h.model_source);
  visit("/model/path", h.model_path);
  visit("/model/overrides", h.model_overrides);
}

/// Calls visit(dataset path, member) for each list of counts of the header whose length is its own (u64, 1-D).
template <class Header, class Visit>
void for_each_count_list(Header& h, Visit&& visit) {
  visit("/recorder/weight_samples", h.weight_samples);
  visit("/recorder/weight_synapses", h.weight_synapses);
}

/// The little-endian file type and the native memory type of a scalar header member.
template <class T>
std::pair<hid_t, hid_t> attribute_types() {
  if constexpr (std::is_same_v<T, double>) return {H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE};
  if constexpr (std::is_same_v<T, std::int64_t>) return {H5T_STD_I64LE, H5T_NATIVE_INT64};
  if constexpr (std::is_same_v<T, std::uint64_t>) return {H5T_STD_U64LE, H5T_NATIVE_UINT64};
  if constexpr (std::is_same_v<T, std::uint32_t>) return {H5T_STD_U32LE, H5T_NATIVE_UINT32};
  if constexpr (std::is_same_v<T, int>) return {H5T_STD_I32LE, H5T_NATIVE_INT};
}

/// A checkpoint file opened for reading by every rank of a context (a local context: serially, through the
/// POSIX driver). Every HDF5 step is agreed over the ranks; a failed step closes the file on every rank and
/// throws the same input_error everywhere, "checkpoint <file>: <object>: <problem>".
class checkpoint_reader {
 public:
  /// Opens the file. A missing file, one that is not HDF5 or one HDF5 cannot open (truncated) throw.
  checkpoint_reader(distributed_context ctx, std::filesystem::path file);
  /// Closes the file if still open; while an exception unwinds on an MPI context it only lets go of it, as a
  /// collective close could wait for ranks that are elsewhere.
  ~checkpoint_reader();
  checkpoint_reader(const checkpoint_reader&) = delete;
  checkpoint_reader& operator=(const checkpoint_reader&) = delete;

  /// Checks `magic` and `format_version`, then reads every attribute, text and the recorder positions.
  checkpoint_header read_header();

  /// Reads a 1-D dataset of fixed-length strings in full, on every rank.
  std::vector<std::string> read_strings(const std::string& dataset);

  /// Reads this rank's `block` of the dataset at `path`, which must hold `type` in the block's global shape,
  /// and verifies the dataset's checksum: from all ranks' blocks together, which must then split the dataset,
  /// or, with `whole_on_every_rank`, from each rank's block, which must then be the whole dataset.
  void read_block(const std::string& path, field_type type, const column_block& block, void* data,
                  bool whole_on_every_rank = false);

  /// Closes the file (collective); a failure throws as a failed step does.
  void close();

  hid_t file() const { return file_.get(); }
  const std::filesystem::path& path() const { return path_; }

  /// Runs f() on every rank; if it throws input_error on any, closes the file and throws on every rank with
  /// "checkpoint <file>: <object>: " and the lowest failing rank's message.
  /// Verifies /contents (its checksum) and that every dataset it lists is there: a dataset deleted from the file
  /// is missing, not absent. Collective.
  void check_contents();

  template <class F>
  auto step(const std::string& object, F&& f) -> std::invoke_result_t<F>;

 private:
  [[noreturn]] void fail_agreed(const std::string& object, const std::string& problem);
  /// Collective: fails every rank if any rank's checksum of `object` differs from the stored one.
  void require_checksum(const std::string& object, std::uint64_t computed, std::uint64_t stored);
  std::string read_text(const std::string& dataset);

  distributed_context ctx_;
  std::filesystem::path path_;
  int uncaught_at_start_;
  h5_file file_;
  h5_plist transfer_;
};

template <class F>
auto checkpoint_reader::step(const std::string& object, F&& f) -> std::invoke_result_t<F> {
  auto [problem, result] = run_and_agree(ctx_, std::forward<F>(f));
  if (!problem.empty()) fail_agreed(object, problem);
  if constexpr (!std::is_void_v<std::invoke_result_t<F>>) return std::move(*result);
}

}  // namespace hetspike::checkpoint_detail
