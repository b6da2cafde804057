#include "runtime/memory_usage.hpp"

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

}  // namespace

std::uint64_t current_rss_bytes() { return status_field_kib("VmRSS") * 1024; }
std::uint64_t peak_rss_bytes() { return status_field_kib("VmHWM") * 1024; }

}  // namespace hetspike
