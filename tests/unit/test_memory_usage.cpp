// The process's resident memory and the node's memory that the start of a run compares estimates with.
#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "runtime/memory_usage.hpp"

namespace hetspike {
namespace {

std::uint64_t mem_total_bytes() {
  std::ifstream meminfo("/proc/meminfo");
  std::string name, unit;
  std::uint64_t kib = 0;
  meminfo >> name >> kib >> unit;
  EXPECT_EQ(name, "MemTotal:");
  return kib * 1024;
}

TEST(memory_usage, touched_memory_raises_the_resident_and_peak_figures) {
  const std::uint64_t before = current_rss_bytes();
  ASSERT_GT(before, 0u);
  std::vector<char> block(64 << 20);
  std::memset(block.data(), 1, block.size());  // resident only once written
  EXPECT_GE(current_rss_bytes(), before + (60u << 20));
  EXPECT_GE(peak_rss_bytes(), current_rss_bytes());
  EXPECT_EQ(block[12345], 1);
}

TEST(memory_usage, the_node_memory_is_at_most_its_total_and_known_on_linux) {
  const std::uint64_t node = node_memory_bytes();
  EXPECT_GT(node, 64u << 20);
  EXPECT_LE(node, mem_total_bytes());  // a cgroup limit can only lower it
}

}  // namespace
}  // namespace hetspike
