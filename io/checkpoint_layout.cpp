#include "io/checkpoint_layout.hpp"

#include <algorithm>
#include <cstring>
#include <limits>

namespace hetspike::checkpoint_detail {

namespace {

/// FNV-1a over the bytes of `value`, for a cheap cross-rank comparison of field lists.
template <class T>
void fnv_mix(std::uint64_t& hash, const T& value) {
  const auto* bytes = reinterpret_cast<const unsigned char*>(&value);
  for (std::size_t i = 0; i < sizeof(T); ++i) hash = (hash ^ bytes[i]) * 1099511628211ull;
}

std::uint64_t describe(std::span<const checkpoint_field> fields) {
  std::uint64_t hash = 14695981039346656037ull;
  for (const auto& f : fields) {
    for (char c : f.name) fnv_mix(hash, c);
    fnv_mix(hash, f.type);
    fnv_mix(hash, f.rows);
    fnv_mix(hash, f.global_columns);
  }
  return hash;
}

/// This rank's own view of its fields: names usable and unique, blocks inside their arrays, data present.
std::string local_field_problem(std::span<const checkpoint_field> fields) {
  for (std::size_t i = 0; i < fields.size(); ++i) {
    const auto& f = fields[i];
    try {
      state_path(f.name);
    } catch (const internal_error& e) {
      return e.what();
    }
    for (std::size_t j = 0; j < i; ++j)
      if (fields[j].name == f.name) return "field '" + f.name + "' is listed twice";
    if (f.first_column > f.global_columns || f.local_columns > f.global_columns - f.first_column)
      return "field '" + f.name + "': columns [" + std::to_string(f.first_column) + ", +" +
             std::to_string(f.local_columns) + ") lie outside its " + std::to_string(f.global_columns) + " columns";
    if (f.rows > 0 && f.local_columns > 0 && f.data == nullptr) return "field '" + f.name + "' has no data";
  }
  return {};
}

}  // namespace

namespace {

/// Everything the file layout says about a field type, in one place.
struct field_type_info {
  hid_t file;    ///< little-endian file type
  hid_t memory;  ///< native memory type
  std::size_t bytes;
  const char* name;
};

field_type_info info_of(field_type t) {
  switch (t) {
    case field_type::f64:
      return {H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 8, "f64"};
    case field_type::i32:
      return {H5T_STD_I32LE, H5T_NATIVE_INT32, 4, "i32"};
    case field_type::u32:
      return {H5T_STD_U32LE, H5T_NATIVE_UINT32, 4, "u32"};
    case field_type::i64:
      return {H5T_STD_I64LE, H5T_NATIVE_INT64, 8, "i64"};
    case field_type::u64:
      return {H5T_STD_U64LE, H5T_NATIVE_UINT64, 8, "u64"};
  }
  throw internal_error("checkpoint: unknown field type");
}

}  // namespace

hid_t file_type_of(field_type t) { return info_of(t).file; }
hid_t memory_type_of(field_type t) { return info_of(t).memory; }
std::size_t size_of(field_type t) { return info_of(t).bytes; }
const char* name_of(field_type t) { return info_of(t).name; }

std::optional<field_type> stored_field_type(hid_t stored) {
  const H5T_class_t cls = H5Tget_class(stored);
  const std::size_t size = H5Tget_size(stored);
  if (cls == H5T_FLOAT && size == 8) return field_type::f64;
  if (cls != H5T_INTEGER || (size != 4 && size != 8)) return std::nullopt;
  const bool is_signed = H5Tget_sign(stored) == H5T_SGN_2;
  if (size == 4) return is_signed ? field_type::i32 : field_type::u32;
  return is_signed ? field_type::i64 : field_type::u64;
}

std::string shape_text(std::span<const hsize_t> dims) {
  std::string text = "[";
  for (std::size_t i = 0; i < dims.size(); ++i) text += (i ? ", " : "") + std::to_string(dims[i]);
  return text + "]";
}

std::uint64_t num_elements(std::span<const hsize_t> dims) {
  std::uint64_t n = 1;
  for (hsize_t d : dims) n *= d;
  return n;
}

std::vector<hsize_t> dims_of(hid_t dataset) {
  h5_dataspace space(h5_ok(H5Dget_space(dataset), "H5Dget_space"));
  const int n = h5_ok(H5Sget_simple_extent_ndims(space.get()), "H5Sget_simple_extent_ndims");
  std::vector<hsize_t> dims(static_cast<std::size_t>(n));
  h5_ok(H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr), "H5Sget_simple_extent_dims");
  return dims;
}

column_block block_of(const checkpoint_field& f) {
  return {{f.rows, f.global_columns}, f.first_column, f.local_columns, f.row_stride};
}

block_spaces select_block(hid_t dataset, const column_block& block) {
  block_spaces s;
  s.file = h5_dataspace(h5_ok(H5Dget_space(dataset), "H5Dget_space"));
  std::vector<hsize_t> start(block.dims.size(), 0), count = block.dims;
  start.back() = block.first;
  count.back() = block.count;
  const int rank = static_cast<int>(count.size());
  if (num_elements(count) > 0) {
    h5_ok(H5Sselect_hyperslab(s.file.get(), H5S_SELECT_SET, start.data(), nullptr, count.data(), nullptr),
          "H5Sselect_hyperslab");
  } else {
    // A rank without columns still joins the collective transfer, with nothing selected.
    h5_ok(H5Sselect_none(s.file.get()), "H5Sselect_none");
  }
  // Memory: the block's rows, `memory_stride()` elements apart.
  std::vector<hsize_t> memory = count;
  memory.back() = std::max<hsize_t>(block.memory_stride(), count.back());
  s.memory = h5_dataspace(h5_ok(H5Screate_simple(rank, memory.data(), nullptr), "H5Screate_simple"));
  if (num_elements(count) == 0) {
    h5_ok(H5Sselect_none(s.memory.get()), "H5Sselect_none");
  } else if (memory != count) {
    const std::vector<hsize_t> origin(count.size(), 0);
    h5_ok(H5Sselect_hyperslab(s.memory.get(), H5S_SELECT_SET, origin.data(), nullptr, count.data(), nullptr),
          "H5Sselect_hyperslab");
  }
  return s;
}

std::uint64_t stored_bytes(std::span<const hsize_t> dims, std::size_t element_bytes) {
  return num_elements(dims) * element_bytes;
}

h5_plist dataset_layout(std::span<const hsize_t>, std::size_t) {
  h5_plist dcpl(h5_ok(H5Pcreate(H5P_DATASET_CREATE), "H5Pcreate dataset creation"));
  h5_ok(H5Pset_layout(dcpl.get(), H5D_CONTIGUOUS), "H5Pset_layout");
  h5_ok(H5Pset_alloc_time(dcpl.get(), H5D_ALLOC_TIME_EARLY), "H5Pset_alloc_time");
  h5_ok(H5Pset_fill_time(dcpl.get(), H5D_FILL_TIME_NEVER), "H5Pset_fill_time");
  return dcpl;
}

namespace {

/// splitmix64's finaliser: every input bit reaches every output bit.
std::uint64_t mix(std::uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ull;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

/// An element's bytes as one number: the bytes themselves up to 8, an FNV-1a hash of them beyond (strings).
std::uint64_t element_value(const unsigned char* bytes, std::size_t n) {
  std::uint64_t v = 0;
  if (n <= 8) {
    std::memcpy(&v, bytes, n);
    return v;
  }
  v = 0xcbf29ce484222325ull;
  for (std::size_t i = 0; i < n; ++i) v = (v ^ bytes[i]) * 0x100000001b3ull;
  return v;
}

}  // namespace

std::uint64_t block_checksum(const column_block& block, const void* data, std::size_t element_bytes) {
  const hsize_t rows = block.dims.size() == 2 ? block.dims[0] : 1;
  const hsize_t columns = block.dims.back();
  const auto* bytes = static_cast<const unsigned char*>(data);
  std::uint64_t sum = 0;
  for (hsize_t r = 0; r < rows; ++r)
    for (hsize_t j = 0; j < block.count; ++j) {
      const std::uint64_t index = r * columns + block.first + j;
      const std::uint64_t value = element_value(bytes + (r * block.memory_stride() + j) * element_bytes, element_bytes);
      sum += mix(mix(index + 0x9e3779b97f4a7c15ull) ^ value);
    }
  return sum;
}

std::uint64_t sum_over_ranks(const distributed_context& ctx, std::uint64_t value) {
  // Two 32-bit halves, so that no signed 64-bit sum can overflow.
  std::vector<std::int64_t> halves{static_cast<std::int64_t>(value & 0xffffffffu),
                                   static_cast<std::int64_t>(value >> 32)};
  ctx.reduce_in_place(halves, reduce_op::sum);
  return (static_cast<std::uint64_t>(halves[1]) << 32) + static_cast<std::uint64_t>(halves[0]);
}

h5_datatype fixed_string_type(std::size_t bytes) {
  h5_datatype type(h5_ok(H5Tcopy(H5T_C_S1), "H5Tcopy"));
  h5_ok(H5Tset_size(type.get(), std::max<std::size_t>(1, bytes)), "H5Tset_size");
  h5_ok(H5Tset_strpad(type.get(), H5T_STR_NULLPAD), "H5Tset_strpad");
  h5_ok(H5Tset_cset(type.get(), H5T_CSET_UTF8), "H5Tset_cset");
  return type;
}

std::string state_path(const std::string& field_name) {
  std::size_t begin = 0;
  while (begin <= field_name.size()) {
    const std::size_t end = std::min(field_name.find('/', begin), field_name.size());
    const std::string part = field_name.substr(begin, end - begin);
    if (part.empty() || part == "." || part == "..")
      throw internal_error("checkpoint field name '" + field_name +
                           "' cannot name an HDF5 dataset: its '/'-separated parts must be non-empty, not '.' or '..'");
    begin = end + 1;
  }
  return "/state/" + field_name;
}

void check_fields(const distributed_context& ctx, std::span<const checkpoint_field> fields, const std::string& what) {
  std::string problem = agree_on_failure(ctx, local_field_problem(fields));
  if (problem.empty()) {
    // The same list everywhere (one hash), and column blocks that add up to each array.
    const auto hash = static_cast<std::int64_t>(describe(fields));
    if (ctx.min(hash) != ctx.max(hash)) problem = "the fields' names, types or shapes differ between ranks";
  }
  if (problem.empty()) {
    std::vector<std::int64_t> columns(fields.size());
    for (std::size_t i = 0; i < fields.size(); ++i) columns[i] = static_cast<std::int64_t>(fields[i].local_columns);
    ctx.reduce_in_place(columns, reduce_op::sum);
    for (std::size_t i = 0; i < fields.size() && problem.empty(); ++i)
      if (static_cast<std::uint64_t>(columns[i]) != fields[i].global_columns)
        problem = "field '" + fields[i].name + "': the ranks hold " + std::to_string(columns[i]) + " columns of " +
                  std::to_string(fields[i].global_columns);
  }
  if (!problem.empty()) throw internal_error(what + ": " + problem);
}

}  // namespace hetspike::checkpoint_detail
