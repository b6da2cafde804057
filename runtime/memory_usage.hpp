#pragma once
// Resident memory of this process, from /proc/self/status, and the memory its node lets it use (Linux).
#include <cstdint>

namespace hetspike {

/// Current resident set size in bytes (VmRSS); 0 where unknown.
std::uint64_t current_rss_bytes();
/// Peak resident set size in bytes (VmHWM); 0 where unknown.
std::uint64_t peak_rss_bytes();

/// The memory this process's node gives it: MemTotal from /proc/meminfo, or less where a memory cgroup this
/// process is in (v1 or v2, the job's and the step's under Slurm) has a lower limit; 0 where unknown.
std::uint64_t node_memory_bytes();

}  // namespace hetspike
