#pragma once
// Resident memory of this process, from /proc/self/status (Linux).
#include <cstdint>

namespace hetspike {

/// Current resident set size in bytes (VmRSS); 0 where unknown.
std::uint64_t current_rss_bytes();
/// Peak resident set size in bytes (VmHWM); 0 where unknown.
std::uint64_t peak_rss_bytes();

}  // namespace hetspike
