#pragma once
// RAII owners for HDF5 identifiers, a check that turns a failed HDF5 call into an exception naming the file
// and the object, and a scope that keeps HDF5 from printing its error stack to stderr. Only io/ includes
// this header: it is the one place that names hid_t.
#include <hdf5.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <utility>

#include "partition/error.hpp"
#include "runtime/collective_errors.hpp"  // agree_on_failure
#include "runtime/distributed_context.hpp"

namespace hetspike {

/// An HDF5 call failed: the file system or the library refused (disk full, quota, permissions, a file another
/// process holds). The user can act on it, so it is an input_error; the message names the file, the object and
/// HDF5's own reason.
struct hdf5_error : input_error {
  using input_error::input_error;
};

using hdf5_close_fn = herr_t (*)(hid_t);

/// Owns one HDF5 identifier and closes it with `Close` (H5Fclose for a file, H5Dclose for a dataset, ...).
/// Move-only, like unique_ptr. NOTE: in parallel HDF5, closing the last handle of a file is collective.
template <hdf5_close_fn Close>
class hdf5_handle {
 public:
  hdf5_handle() = default;
  explicit hdf5_handle(hid_t id) : id_(id) {}
  ~hdf5_handle() { close(); }
  hdf5_handle(hdf5_handle&& other) noexcept : id_(other.release()) {}
  hdf5_handle& operator=(hdf5_handle&& other) noexcept {
    if (this != &other) {
      close();
      id_ = other.release();
    }
    return *this;
  }
  hdf5_handle(const hdf5_handle&) = delete;
  hdf5_handle& operator=(const hdf5_handle&) = delete;

  hid_t get() const { return id_; }
  explicit operator bool() const { return id_ >= 0; }

  /// Closes now and returns HDF5's status (negative on failure; 0 when nothing was open). The handle is
  /// empty afterwards either way: HDF5 gives no way to retry a failed close.
  herr_t close() noexcept {
    const hid_t id = release();
    return id >= 0 ? Close(id) : 0;
  }

  /// Gives up ownership without closing, for the one case where closing would hang (see
  /// sonata_spike_writer's destructor).
  hid_t release() noexcept { return std::exchange(id_, H5I_INVALID_HID); }

 private:
  hid_t id_ = H5I_INVALID_HID;
};

using h5_file = hdf5_handle<H5Fclose>;
using h5_group = hdf5_handle<H5Gclose>;
using h5_dataset = hdf5_handle<H5Dclose>;
using h5_dataspace = hdf5_handle<H5Sclose>;
using h5_datatype = hdf5_handle<H5Tclose>;
using h5_plist = hdf5_handle<H5Pclose>;
using h5_attribute = hdf5_handle<H5Aclose>;

/// Checks HDF5 return values for one file: a negative value throws hdf5_error with the file, what was being
/// done, and the innermost message of HDF5's error stack.
class hdf5_checker {
 public:
  explicit hdf5_checker(std::filesystem::path file) : file_(std::move(file)) {}

  /// `what` names the call and the object, e.g. "H5Dset_extent /spikes/E/timestamps".
  template <class T>
  T operator()(T status, std::string_view what) const {
    if (status < 0) fail(what);
    return status;
  }

  /// Throws as a failed call would, for failures found without an HDF5 status.
  [[noreturn]] void fail(std::string_view what) const;

  const std::filesystem::path& file() const { return file_; }

 private:
  std::filesystem::path file_;
};

// Small building blocks for writers. `where` names the object for error messages ("/spikes/E/timestamps").
// In parallel HDF5 each is collective: every rank calls it with the same arguments.

/// An empty 1-D dataset of `type` that grows without limit; `dcpl` must set a chunk size.
h5_dataset h5_create_extendible_1d(const hdf5_checker& check, hid_t group, const char* name, hid_t type, hid_t dcpl,
                                   const std::string& where);

/// An attribute of `type` over `space`; `value` is in `type`'s layout (file and memory type are the same).
void h5_write_attribute(const hdf5_checker& check, hid_t owner, const char* name, hid_t type, hid_t space,
                        const void* value, const std::string& where);

/// A scalar attribute.
void h5_write_scalar_attribute(const hdf5_checker& check, hid_t owner, const char* name, hid_t type, const void* value,
                               const std::string& where);

/// A variable-length UTF-8 string attribute, as h5py writes `attrs["units"] = "ms"`, so Python reads a str.
void h5_write_string_attribute(const hdf5_checker& check, hid_t owner, const char* name, const char* text,
                               const std::string& where);

/// Reads a string attribute (variable-length or fixed-length, as h5py or we write them). Throws hdf5_error if
/// it is missing or not a string.
std::string h5_read_string_attribute(const hdf5_checker& check, hid_t owner, const char* name,
                                     const std::string& where);

// Collective files. A local context (one rank, no MPI, maybe no MPI_Init) uses HDF5's POSIX driver; an MPI
// context uses MPI-IO with collective metadata and collective transfers.

/// Whether files shared by the ranks of `ctx` go through MPI-IO.
bool h5_uses_mpio(const distributed_context& ctx);

/// File access properties for a file that every rank of `ctx` opens together.
h5_plist h5_collective_file_access(const hdf5_checker& check, const distributed_context& ctx);

/// Transfer properties: collective for MPI-IO (every rank joins every H5Dread/H5Dwrite), default otherwise.
h5_plist h5_collective_transfer(const hdf5_checker& check, const distributed_context& ctx);

/// fsync()s a file or directory by name so that what was written (or a rename inside a directory) survives a
/// crash of the node. Returns the OS's reason on failure, else an empty string.
std::string sync_to_disk(const std::filesystem::path& path);

/// Makes `file` at least `bytes` long with its blocks allocated (fallocate), so that a full disk, a quota or a
/// file-size limit shows here, before HDF5 writes data. NOTE: HDF5 1.10 cannot recover from a failed H5Fclose
/// (it frees the file but keeps its identifier, and crashes when the library shuts down: HDFFV-11052), and a
/// close after a failed data write fails too, as HDF5 then writes metadata and sets the file size; writers
/// therefore reserve first. A file system without fallocate() is left as it is. Returns the OS's reason on
/// failure, else an empty string.
std::string reserve_file_space(const std::filesystem::path& file, std::uint64_t bytes);

/// Cuts a closed HDF5 file back to the end of allocation HDF5 recorded in it, dropping reserved space that the
/// POSIX driver leaves in place. Returns the problem, else an empty string.
std::string trim_file_to_allocation(const std::filesystem::path& file);

/// The most specific messages on HDF5's error stack of this thread, joined by "; ", then clears the stack.
/// Empty when the stack is empty.
std::string hdf5_error_stack_text();

/// While alive, HDF5 does not print its error stack to stderr (our exceptions carry the message instead).
/// Restores the previous setting on destruction, so code outside io/ that wants HDF5's printing keeps it.
class hdf5_quiet_scope {
 public:
  hdf5_quiet_scope();
  ~hdf5_quiet_scope();
  hdf5_quiet_scope(const hdf5_quiet_scope&) = delete;
  hdf5_quiet_scope& operator=(const hdf5_quiet_scope&) = delete;

 private:
  H5E_auto2_t previous_func_ = nullptr;
  void* previous_data_ = nullptr;
  bool restore_ = false;
};

}  // namespace hetspike
