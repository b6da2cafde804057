#include "runtime/memory_usage.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>

namespace hetspike {

namespace {

std::uint64_t status_field_kib(const std::string& field) {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line))
    if (line.rfind(field + ":", 0) == 0) return std::stoull(line.substr(field.size() + 1));
  return 0;
}

std::uint64_t meminfo_total_bytes() {
  std::ifstream meminfo("/proc/meminfo");
  std::string name;
  std::uint64_t kib = 0;
  while (meminfo >> name >> kib)
    if (name == "MemTotal:") return kib * 1024;
  return 0;
}

/// A cgroup limit file's value: a byte count, or "max" (v2) / a number near 2^63 (v1) for none.
std::uint64_t limit_in(const std::filesystem::path& file) {
  std::ifstream in(file);
  std::string text;
  if (!(in >> text) || text == "max") return 0;
  try {
    return std::stoull(text);
  } catch (const std::exception&) {
    return 0;
  }
}

/// The lowest memory limit of this process's cgroup and its ancestors (a limit on the job holds for its steps).
std::uint64_t cgroup_limit_bytes() {
  namespace fs = std::filesystem;
  std::ifstream self("/proc/self/cgroup");
  std::string line;
  std::uint64_t lowest = 0;
  while (std::getline(self, line)) {
    // "0::/path" (v2) or "N:memory:/path" (v1)
    const auto first = line.find(':'), second = line.find(':', first + 1);
    if (first == std::string::npos || second == std::string::npos) continue;
    const std::string controllers = line.substr(first + 1, second - first - 1);
    const bool v2 = controllers.empty();
    if (!v2 && controllers.find("memory") == std::string::npos) continue;
    const fs::path root = v2 ? fs::path("/sys/fs/cgroup") : fs::path("/sys/fs/cgroup/memory");
    const char* file = v2 ? "memory.max" : "memory.limit_in_bytes";
    for (fs::path dir = fs::path(line.substr(second + 1)).relative_path();; dir = dir.parent_path()) {
      if (const auto limit = limit_in(root / dir / file); limit > 0) lowest = lowest ? std::min(lowest, limit) : limit;
      if (dir.empty()) break;
    }
  }
  return lowest;
}

}  // namespace

std::uint64_t node_memory_bytes() {
  const std::uint64_t total = meminfo_total_bytes(), limit = cgroup_limit_bytes();
  return limit > 0 && (total == 0 || limit < total) ? limit : total;
}

std::uint64_t current_rss_bytes() { return status_field_kib("VmRSS") * 1024; }
std::uint64_t peak_rss_bytes() { return status_field_kib("VmHWM") * 1024; }

}  // namespace hetspike
