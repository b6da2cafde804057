#include "io/output_path.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>

#include <unistd.h>

#include "io/message_text.hpp"

namespace hetspike {

namespace fs = std::filesystem;

fs::path partial_path_of(const fs::path& final_path) {
  fs::path p = final_path;
  p += ".partial";
  return p;
}

std::string mpi_io_path_problem(const std::string& option, const std::string& value, const fs::path& file,
                                const std::string& what) {
  // A path beyond the limit is longer than in_quotes shows whole, so the message gives its length.
  static_assert(max_mpi_io_path > max_shown_characters);
  const std::size_t length = file.string().size();
  if (length <= max_mpi_io_path) return {};
  const std::size_t added = length > value.size() ? length - value.size() : 0;  // what the option's value gets
  const std::string longest = added < max_mpi_io_path ? std::to_string(max_mpi_io_path - added) : "0";
  return option + " " + excerpt(value) + ": " + what + " would be " + in_quotes(file.string(), '\'') +
         "; allowed: at most " + std::to_string(max_mpi_io_path) +
         " characters in the path of a file that every rank opens through MPI-IO (Open MPI's limit), so " + option +
         " of at most " + longest + " characters";
}

std::string output_path_problem(const fs::path& final_path, const std::string& what, bool keep_partial) {
  const std::string prefix = "cannot write " + what + " '" + final_path.string() + "': ";
  const fs::path dir = final_path.has_parent_path() ? final_path.parent_path() : fs::path(".");
  const fs::path partial = partial_path_of(final_path);
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return prefix + "directory '" + dir.string() + "' does not exist";
  for (const auto& name : {final_path, partial}) {
    const auto status = fs::symlink_status(name, ec);
    if (ec || !fs::exists(status) || fs::is_regular_file(status)) continue;
    return prefix + "'" + name.string() + "' exists and is " +
           (fs::is_directory(status) ? "a directory" : "not a regular file") +
           "; allowed: a regular file, which is replaced, or nothing";
  }
  if (::access(dir.c_str(), W_OK | X_OK) != 0)
    return prefix + "directory '" + dir.string() + "' is not writable: " + std::strerror(errno);
  if (fs::exists(partial, ec)) {  // perhaps a resumed run's spikes so far: never truncated here
    if (::access(partial.c_str(), W_OK) != 0)
      return prefix + "cannot write '" + partial.string() + "': " + std::strerror(errno);
    return {};
  }
  errno = 0;
  std::FILE* f = std::fopen(partial.c_str(), "wb");
  if (f == nullptr) return prefix + "cannot create '" + partial.string() + "': " + std::strerror(errno);
  std::fclose(f);
  if (!keep_partial) fs::remove(partial, ec);
  return {};
}

}  // namespace hetspike
