// Reading checkpoints: the collective reader shared by hdf5_checkpoint_source and `inspect`, and the source.
#include <cstring>
#include <exception>

#include "io/checkpoint_file.hpp"
#include "io/checkpoint_layout.hpp"

namespace hetspike {

namespace fs = std::filesystem;

namespace checkpoint_detail {

namespace {

/// Rank 0's first look, before any collective HDF5 call: HDF5's own message for a missing or foreign file is
/// a stack of driver errors, this one says what is wrong.
std::string probe_file(const fs::path& file) {
  std::error_code ec;
  if (!fs::exists(file, ec)) return "no such file";
  if (!fs::is_regular_file(file, ec)) return "not a regular file";
  if (H5Fis_hdf5(file.c_str()) <= 0) return "not an HDF5 file";
  return {};
}

/// Whether every '/'-separated prefix of `path` exists, so that a missing group reads as "missing" rather than
/// as an HDF5 error stack.
bool path_exists(hid_t file, const std::string& path) {
  for (std::size_t slash = path.find('/', 1);; slash = path.find('/', slash + 1)) {
    const std::string prefix = path.substr(0, slash);
    if (H5Lexists(file, prefix.c_str(), H5P_DEFAULT) <= 0) return false;
    if (slash == std::string::npos) return true;
  }
}

h5_dataset open_dataset(hid_t file, const std::string& path) {
  if (!path_exists(file, path)) throw input_error("missing");
  return h5_dataset(h5_ok(H5Dopen2(file, path.c_str(), H5P_DEFAULT), "H5Dopen2"));
}

template <class T>
void read_attribute(hid_t file, const char* name, T& value) {
  if (H5Aexists(file, name) <= 0) throw input_error("missing");
  if constexpr (std::is_same_v<T, std::string>) {
    try {
      value = h5_read_string_attribute(hdf5_checker(""), file, name, name);
    } catch (const hdf5_error&) {
      throw input_error("not a readable string");
    }
  } else {
    h5_attribute a(h5_ok(H5Aopen(file, name, H5P_DEFAULT), "H5Aopen"));
    h5_dataspace space(h5_ok(H5Aget_space(a.get()), "H5Aget_space"));
    if (H5Sget_simple_extent_npoints(space.get()) != 1) throw input_error("not a single value");
    h5_ok(H5Aread(a.get(), attribute_types<T>().second, &value), "H5Aread");
  }
}

}  // namespace

checkpoint_reader::checkpoint_reader(distributed_context ctx, fs::path file)
    : ctx_(std::move(ctx)), path_(std::move(file)), uncaught_at_start_(std::uncaught_exceptions()) {
  const hdf5_quiet_scope quiet;
  std::string problem = agree_on_failure(ctx_, ctx_.rank() == 0 ? probe_file(path_) : std::string());
  if (!problem.empty()) throw input_error("checkpoint " + path_.string() + ": " + problem);
  try {
    const hdf5_checker check(path_);
    const h5_plist fapl = h5_collective_file_access(check, ctx_);
    file_ = h5_file(h5_ok(H5Fopen(path_.c_str(), H5F_ACC_RDONLY, fapl.get()), "H5Fopen"));
    transfer_ = h5_collective_transfer(check, ctx_);
  } catch (const input_error& e) {
    problem = e.what();
  }
  problem = agree_on_failure(ctx_, problem);
  if (problem.empty()) return;
  // NOTE: a rank whose open succeeded while another's failed cannot close the file (collective): it lets go.
  file_.release();
  throw input_error("checkpoint " + path_.string() + ": cannot open: " + problem);
}

checkpoint_reader::~checkpoint_reader() {
  if (!file_) return;
  const hdf5_quiet_scope quiet;
  if (h5_uses_mpio(ctx_) && ctx_.size() > 1 && std::uncaught_exceptions() > uncaught_at_start_)
    file_.release();  // the other ranks may be anywhere: a collective close could hang the job
  else
    file_.close();
}

void checkpoint_reader::fail_agreed(const std::string& object, const std::string& problem) {
  // Every rank is here (the failure was agreed), so the collective close is safe.
  file_.close();
  throw input_error("checkpoint " + path_.string() + ": " + object + ": " + problem);
}

void checkpoint_reader::close() {
  const hdf5_quiet_scope quiet;
  const bool closed = file_.close() >= 0;
  const std::string problem = agree_on_failure(ctx_, closed ? std::string() : "H5Fclose failed");
  if (!problem.empty()) throw input_error("checkpoint " + path_.string() + ": " + problem);
}

std::vector<std::string> checkpoint_reader::read_strings(const std::string& dataset) {
  const hdf5_quiet_scope quiet;
  // Every rank reads the whole dataset and checks it against its checksum, as read_block does: a one-byte
  // change of the stored model must not pass (it would change the run silently).
  std::uint64_t stored_sum = 0, sum = 0;
  auto texts = step("dataset " + dataset, [&] {
    const h5_dataset ds = open_dataset(file_.get(), dataset);
    h5_datatype stored(h5_ok(H5Dget_type(ds.get()), "H5Dget_type"));
    if (H5Tget_class(stored.get()) != H5T_STRING || H5Tis_variable_str(stored.get()) > 0)
      throw input_error("not fixed-length strings");
    const std::size_t width = H5Tget_size(stored.get());
    const std::uint64_t n = num_elements(dims_of(ds.get()));
    std::vector<char> bytes(n * width + 1, '\0');
    if (n > 0) h5_ok(H5Dread(ds.get(), stored.get(), H5S_ALL, H5S_ALL, transfer_.get(), bytes.data()), "H5Dread");
    if (H5Aexists(ds.get(), checksum_attribute) <= 0) throw input_error("has no checksum attribute");
    read_attribute(ds.get(), checksum_attribute, stored_sum);
    if (n > 0) sum = block_checksum(column_block{{n}, 0, n}, bytes.data(), width);
    std::vector<std::string> texts;
    for (std::uint64_t i = 0; i < n; ++i)  // null-padded
      texts.emplace_back(bytes.data() + i * width, strnlen(bytes.data() + i * width, width));
    return texts;
  });
  require_checksum("dataset " + dataset, sum, stored_sum);
  return texts;
}

std::string checkpoint_reader::read_text(const std::string& dataset) {
  auto texts = read_strings(dataset);
  if (texts.size() != 1) fail_agreed("dataset " + dataset, "not a single string");  // the same on every rank
  return std::move(texts.front());
}

checkpoint_header checkpoint_reader::read_header() {
  const hdf5_quiet_scope quiet;
  const hid_t root = file_.get();
  // Identity first, so that a foreign HDF5 file is called that rather than "attribute step: missing".
  step("attribute magic", [&] {
    std::string value;
    read_attribute(root, "magic", value);
    if (value != magic) throw input_error("is '" + value + "', not '" + magic + "': not a hetspike checkpoint");
  });
  std::int64_t version = 0;
  step("attribute format_version", [&] {
    read_attribute(root, "format_version", version);
    if (version < 1 || version > format_version)
      throw input_error("is " + std::to_string(version) + "; this hetspike reads format " +
                        std::to_string(format_version) + " (was it written by a newer one?)");
  });
  checkpoint_header h;
  for_each_attribute(h, [&](const char* name, auto& value) {
    step(std::string("attribute ") + name, [&] { read_attribute(root, name, value); });
  });
  for_each_text(h, [&](const char* path, std::string& text) { text = read_text(path); });
  h.recorded_populations = read_strings("/recorder/populations");
  h.recorded_spikes.resize(h.recorded_populations.size());
  const hsize_t n = h.recorded_spikes.size();
  read_block("/recorder/spikes", field_type::u64, column_block{{n}, 0, n}, h.recorded_spikes.data(), true);
  for_each_count_list(h, [&](const char* path, std::vector<std::uint64_t>& counts) {
    if (version < 2) return;
    const hsize_t k = step(std::string("dataset ") + path, [&] {
      const auto dims = dims_of(open_dataset(root, path).get());
      if (dims.size() != 1) throw input_error("has shape " + shape_text(dims) + ", expected one dimension");
      return dims[0];
    });
    counts.resize(k);
    read_block(path, field_type::u64, column_block{{k}, 0, k}, counts.data(), true);
  });
  return h;
}

void checkpoint_reader::check_contents() {
  const hdf5_quiet_scope quiet;
  for (const auto& listed : read_strings(contents_path))
    step("dataset " + listed, [&] {
      if (!path_exists(file_.get(), listed))
        throw input_error("listed in " + std::string(contents_path) + " but missing");
    });
}

void checkpoint_reader::read_block(const std::string& path, field_type type, const column_block& block, void* data,
                                   bool whole_on_every_rank) {
  const hdf5_quiet_scope quiet;
  const std::string object = "dataset " + path;
  h5_dataset ds = step(object, [&] {
    h5_dataset d = open_dataset(file_.get(), path);
    h5_datatype stored(h5_ok(H5Dget_type(d.get()), "H5Dget_type"));
    const auto stored_type = stored_field_type(stored.get());
    if (stored_type != type)
      throw input_error(std::string("holds ") + (stored_type ? name_of(*stored_type) : "other") + " values, expected " +
                        name_of(type));
    const auto dims = dims_of(d.get());
    if (dims != block.dims)
      throw input_error("has shape " + shape_text(dims) + " in the file, expected " + shape_text(block.dims));
    return d;
  });
  std::string problem;
  std::uint64_t stored = 0;
  try {
    if (H5Aexists(ds.get(), checksum_attribute) <= 0) throw input_error("has no checksum attribute");
    read_attribute(ds.get(), checksum_attribute, stored);
    if (num_elements(block.dims) > 0) {
      const auto spaces = select_block(ds.get(), block);
      const std::uint64_t unused = 0;  // HDF5 wants a buffer even for an empty selection
      h5_ok(H5Dread(ds.get(), memory_type_of(type), spaces.memory.get(), spaces.file.get(), transfer_.get(),
                    data != nullptr ? data : const_cast<std::uint64_t*>(&unused)),
            "H5Dread");
    }
  } catch (const input_error& e) {
    problem = e.what();
  }
  ds.close();  // before a failure closes the file: an MPI-IO file does not close while objects are open
  problem = agree_on_failure(ctx_, problem);
  if (!problem.empty()) fail_agreed(object, problem);
  const std::uint64_t mine = block.count > 0 ? block_checksum(block, data, size_of(type)) : 0;
  const std::uint64_t whole = whole_on_every_rank ? mine : sum_over_ranks(ctx_, mine);
  require_checksum(object, whole, stored);
}

void checkpoint_reader::require_checksum(const std::string& object, std::uint64_t computed, std::uint64_t stored) {
  if (ctx_.max(static_cast<std::int64_t>(computed != stored)) != 0)  // the same verdict on every rank
    fail_agreed(object, "checksum mismatch: the data differ from what was written (the file is damaged)");
}

}  // namespace checkpoint_detail

hdf5_checkpoint_source::hdf5_checkpoint_source(distributed_context ctx, fs::path file)
    : ctx_(std::move(ctx)), file_(std::move(file)) {
  checkpoint_detail::checkpoint_reader reader(ctx_, file_);
  header_ = reader.read_header();
  reader.check_contents();
  reader.close();
}

void hdf5_checkpoint_source::read(std::span<const checkpoint_field> fields) {
  checkpoint_detail::check_fields(ctx_, fields, "reading checkpoint " + file_.string());
  checkpoint_detail::checkpoint_reader reader(ctx_, file_);
  for (const auto& f : fields)
    reader.read_block(checkpoint_detail::state_path(f.name), f.type, checkpoint_detail::block_of(f), f.data);
  reader.close();
}

}  // namespace hetspike
