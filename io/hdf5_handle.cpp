#include "io/hdf5_handle.hpp"

#include <vector>

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
