#include "io/hdf5_handle.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "runtime/mpi_context.hpp"

namespace hetspike {

namespace {

/// H5Ewalk2 visits the stack from the API call inwards; the last entries say what actually went wrong
/// (e.g. "unable to open file: ... errno = 2, error message = 'No such file or directory'").
herr_t collect_description(unsigned, const H5E_error2_t* entry, void* out) {
  if (entry->desc != nullptr && entry->desc[0] != '\0')
    static_cast<std::vector<std::string>*>(out)->emplace_back(entry->desc);
  return 0;
}

}  // namespace

std::string hdf5_error_stack_text() {
  std::vector<std::string> descriptions;
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_DOWNWARD, collect_description, &descriptions);
  H5Eclear2(H5E_DEFAULT);
  // The two innermost entries carry the cause; the outer ones only repeat which API call failed.
  constexpr std::size_t kept = 2;
  std::string text;
  const std::size_t first = descriptions.size() > kept ? descriptions.size() - kept : 0;
  for (std::size_t i = first; i < descriptions.size(); ++i) {
    if (!text.empty()) text += "; ";
    text += descriptions[i];
  }
  return text;
}

void hdf5_checker::fail(std::string_view what) const {
  std::string message = "HDF5 error in '" + file_.string() + "': " + std::string(what) + " failed";
  const std::string reason = hdf5_error_stack_text();
  if (!reason.empty()) message += " (" + reason + ")";
  throw hdf5_error(message);
}

h5_dataset h5_create_extendible_1d(const hdf5_checker& check, hid_t group, const char* name, hid_t type, hid_t dcpl,
                                   const std::string& where) {
  const hsize_t empty = 0;
  const hsize_t unlimited = H5S_UNLIMITED;
  h5_dataspace space(check(H5Screate_simple(1, &empty, &unlimited), "H5Screate_simple " + where));
  return h5_dataset(
      check(H5Dcreate2(group, name, type, space.get(), H5P_DEFAULT, dcpl, H5P_DEFAULT), "H5Dcreate2 " + where));
}

void h5_write_attribute(const hdf5_checker& check, hid_t owner, const char* name, hid_t type, hid_t space,
                        const void* value, const std::string& where) {
  h5_attribute a(check(H5Acreate2(owner, name, type, space, H5P_DEFAULT, H5P_DEFAULT), "H5Acreate2 " + where));
  check(H5Awrite(a.get(), type, value), "H5Awrite " + where);
}

void h5_write_scalar_attribute(const hdf5_checker& check, hid_t owner, const char* name, hid_t type, const void* value,
                               const std::string& where) {
  h5_dataspace scalar(check(H5Screate(H5S_SCALAR), "H5Screate scalar " + where));
  h5_write_attribute(check, owner, name, type, scalar.get(), value, where);
}

void h5_write_string_attribute(const hdf5_checker& check, hid_t owner, const char* name, const char* text,
                               const std::string& where) {
  h5_datatype type(check(H5Tcopy(H5T_C_S1), "H5Tcopy " + where));
  check(H5Tset_size(type.get(), H5T_VARIABLE), "H5Tset_size " + where);
  check(H5Tset_cset(type.get(), H5T_CSET_UTF8), "H5Tset_cset " + where);
  // A variable-length string is passed as a pointer to the char pointer.
  h5_write_scalar_attribute(check, owner, name, type.get(), &text, where);
}

std::string h5_read_string_attribute(const hdf5_checker& check, hid_t owner, const char* name,
                                     const std::string& where) {
  h5_attribute attr(check(H5Aopen(owner, name, H5P_DEFAULT), "H5Aopen " + where));
  h5_datatype stored(check(H5Aget_type(attr.get()), "H5Aget_type " + where));
  if (H5Tget_class(stored.get()) != H5T_STRING) check.fail(where + " is not a string");
  if (H5Tis_variable_str(stored.get()) > 0) {
    h5_datatype type(check(H5Tcopy(H5T_C_S1), "H5Tcopy " + where));
    check(H5Tset_size(type.get(), H5T_VARIABLE), "H5Tset_size " + where);
    check(H5Tset_cset(type.get(), H5Tget_cset(stored.get())), "H5Tset_cset " + where);
    char* text = nullptr;
    check(H5Aread(attr.get(), type.get(), &text), "H5Aread " + where);
    std::string value(text != nullptr ? text : "");
    H5free_memory(text);
    return value;
  }
  // Fixed length: read in the stored type (no conversion), then cut at the first NUL of a null-padded string.
  std::string value(H5Tget_size(stored.get()), '\0');
  check(H5Aread(attr.get(), stored.get(), value.data()), "H5Aread " + where);
  value.resize(std::strlen(value.c_str()));
  return value;
}

bool h5_uses_mpio(const distributed_context& ctx) { return mpi_communicator(ctx) != MPI_COMM_SELF; }

h5_plist h5_collective_file_access(const hdf5_checker& check, const distributed_context& ctx) {
  h5_plist fapl(check(H5Pcreate(H5P_FILE_ACCESS), "H5Pcreate file access"));
  if (h5_uses_mpio(ctx)) {
    check(H5Pset_fapl_mpio(fapl.get(), mpi_communicator(ctx), MPI_INFO_NULL), "H5Pset_fapl_mpio");
    // Metadata read and written collectively: one rank touches the file system and shares the result,
    // instead of thousands of ranks reading the same bytes at once.
    check(H5Pset_all_coll_metadata_ops(fapl.get(), true), "H5Pset_all_coll_metadata_ops");
    check(H5Pset_coll_metadata_write(fapl.get(), true), "H5Pset_coll_metadata_write");
  }
  return fapl;
}

h5_plist h5_collective_transfer(const hdf5_checker& check, const distributed_context& ctx) {
  h5_plist dxpl(check(H5Pcreate(H5P_DATASET_XFER), "H5Pcreate transfer"));
  if (h5_uses_mpio(ctx)) check(H5Pset_dxpl_mpio(dxpl.get(), H5FD_MPIO_COLLECTIVE), "H5Pset_dxpl_mpio");
  return dxpl;
}

std::string sync_to_disk(const std::filesystem::path& path) {
  // O_RDONLY works for directories too, and fsync on a read-only descriptor still flushes the file.
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return "cannot open '" + path.string() + "' to sync it: " + std::strerror(errno);
  const bool synced = ::fsync(fd) == 0;
  const int sync_errno = errno;
  ::close(fd);
  if (!synced) return "fsync of '" + path.string() + "' failed: " + std::strerror(sync_errno);
  return {};
}

std::string reserve_file_space(const std::filesystem::path& file, std::uint64_t bytes) {
  std::error_code ec;
  if (std::filesystem::file_size(file, ec) >= bytes && !ec) return {};
  const int fd = ::open(file.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return "cannot open '" + file.string() + "' to reserve space: " + std::strerror(errno);
  const int status = ::fallocate(fd, 0, 0, static_cast<off_t>(bytes));
  const int error = errno;
  ::close(fd);
  if (status == 0 || error == EOPNOTSUPP || error == ENOSYS) return {};
  return "cannot reserve " + std::to_string(bytes) + " bytes for '" + file.string() + "': " + std::strerror(error);
}

std::string trim_file_to_allocation(const std::filesystem::path& file) {
  h5_file f(H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT));
  haddr_t end = 0;
  if (!f || H5Fget_eoa(f.get(), &end) < 0 || f.close() < 0)
    return "cannot read back the end of allocation of '" + file.string() + "' (" + hdf5_error_stack_text() + ")";
  std::error_code ec;
  const auto size = std::filesystem::file_size(file, ec);
  if (!ec && size > end) std::filesystem::resize_file(file, end, ec);
  return ec ? "cannot trim '" + file.string() + "': " + ec.message() : std::string();
}

hdf5_quiet_scope::hdf5_quiet_scope() {
  // If the current handler was installed through the old (v1) API, H5Eget_auto2 fails; then we leave it alone
  // rather than replace something we could not put back.
  if (H5Eget_auto2(H5E_DEFAULT, &previous_func_, &previous_data_) >= 0) {
    restore_ = H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr) >= 0;
  }
}

hdf5_quiet_scope::~hdf5_quiet_scope() {
  if (restore_) H5Eset_auto2(H5E_DEFAULT, previous_func_, previous_data_);
}

}  // namespace hetspike
