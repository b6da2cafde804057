#pragma once
// For tests that write files: a scratch directory every rank sees, and a file-size limit that makes writes fail
// as on a full disk.
#include <sys/resource.h>

#include <csignal>
#include <filesystem>
#include <random>
#include <string>

#include "test_context.hpp"

namespace hetspike::test {

/// A fresh directory shared by all ranks (rank 0 names and creates it); removed when the test ends.
class shared_test_directory {
 public:
  explicit shared_test_directory(const std::string& tag) {
    std::string name;
    if (context().rank() == 0) {
      std::random_device rd;
      name = (std::filesystem::temp_directory_path() / ("hetspike-" + tag + "-" + std::to_string(rd()))).string();
      std::filesystem::create_directories(name);
    }
    path_ = context().broadcast(name);
  }
  ~shared_test_directory() {
    context().barrier();  // every rank is done with the files
    std::error_code ignored;
    if (context().rank() == 0) std::filesystem::remove_all(path_, ignored);
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

/// Sets RLIMIT_FSIZE for this process (SIGXFSZ ignored, so a write past it fails with EFBIG); restores both.
class file_size_limit {
 public:
  explicit file_size_limit(rlim_t bytes) {
    getrlimit(RLIMIT_FSIZE, &saved_);
    previous_handler_ = std::signal(SIGXFSZ, SIG_IGN);
    rlimit limited = saved_;
    limited.rlim_cur = bytes;
    setrlimit(RLIMIT_FSIZE, &limited);
  }
  ~file_size_limit() {
    setrlimit(RLIMIT_FSIZE, &saved_);
    std::signal(SIGXFSZ, previous_handler_);
  }
  file_size_limit(const file_size_limit&) = delete;
  file_size_limit& operator=(const file_size_limit&) = delete;

 private:
  rlimit saved_{};
  void (*previous_handler_)(int) = nullptr;
};

}  // namespace hetspike::test
