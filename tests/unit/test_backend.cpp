// Choosing a rank's backend from --backend and a rank map, and placing populations by rank kind.
#include <gtest/gtest.h>
#include <Kokkos_Core.hpp>

#include "partition/block_partition.hpp"
#include "partition/error.hpp"
#include "runtime/backend.hpp"

namespace hetspike {
namespace {

rank_facts facts(int rank, std::string host = "node01", std::string het = "", int local = 0) {
  rank_facts f;
  f.rank = rank;
  f.hostname = std::move(host);
  f.het_job_id = std::move(het);
  f.local_rank = local;
  return f;
}

TEST(backend, rank_map_rules_pick_per_rank_and_first_match_wins) {
  const std::string map = "0-1:cpu,2:neuromorphic,host=gpu*:cpu,het=1:neuromorphic";
  EXPECT_EQ(choose_backend("auto", map, facts(0)).kind, backend_kind::cpu);
  EXPECT_EQ(choose_backend("auto", map, facts(1)).kind, backend_kind::cpu);
  EXPECT_EQ(choose_backend("auto", map, facts(2)).kind, backend_kind::neuromorphic);
  EXPECT_EQ(choose_backend("neuromorphic", map, facts(3, "gpu07")).kind, backend_kind::cpu);
  EXPECT_EQ(choose_backend("cpu", map, facts(3, "cn1", "1")).kind, backend_kind::neuromorphic);
  EXPECT_EQ(choose_backend("cpu", map, facts(3, "cn1", "0")).kind, backend_kind::cpu);
  EXPECT_EQ(choose_backend("cpu", "local=1:neuromorphic", facts(5, "cn1", "", 1)).kind, backend_kind::neuromorphic);
  const auto c = choose_backend("auto", map, facts(2));
  EXPECT_NE(c.why.find("rule 2"), std::string::npos) << c.why;
}

TEST(backend, auto_takes_a_gpu_only_where_one_is_available) {
  EXPECT_EQ(choose_backend("auto", "", facts(0)).kind, backend_kind::cpu);
  auto f = facts(0);
  f.device_available = true;
  // A build without a device backend never claims a device (gather_rank_facts), so "auto" picks what it finds.
  EXPECT_EQ(choose_backend("auto", "", f).kind, backend_kind::gpu);
}

TEST(backend, bad_input_is_a_clear_error) {
  auto error_of = [](std::string_view backend, std::string_view map) {
    try {
      choose_backend(backend, map, facts(0));
    } catch (const input_error& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  EXPECT_NE(error_of("fpga", "").find("allowed: auto, cpu, gpu, neuromorphic"), std::string::npos);
  EXPECT_NE(error_of("cpu", "0:tpu").find("rule 1 (0:tpu)"), std::string::npos);
  EXPECT_NE(error_of("cpu", "zero:cpu").find("not a rank"), std::string::npos);
  EXPECT_NE(error_of("cpu", "3-1:cpu").find("N <= M"), std::string::npos);
  EXPECT_NE(error_of("cpu", "cpu").find("SELECTOR:BACKEND"), std::string::npos);
  // This build has only host backends (Debian's Kokkos): a GPU request names the build.
  if (std::string(Kokkos::DefaultExecutionSpace::name()) == Kokkos::DefaultHostExecutionSpace::name()) {
    EXPECT_NE(error_of("gpu", "").find("built with Kokkos"), std::string::npos);
  }
}

TEST(backend, populations_go_only_to_eligible_ranks_by_weight) {
  // Population 0 on ranks 0 and 1 (weights 1:3), population 1 on rank 2 only.
  const block_partition part({4000, 300}, 3, {1.0, 3.0, 5.0}, {{true, true, false}, {false, false, true}});
  EXPECT_EQ(part.block(0, 0).second - part.block(0, 0).first, 1000u);
  EXPECT_EQ(part.block(0, 1).second - part.block(0, 1).first, 3000u);
  EXPECT_EQ(part.block(0, 2).second - part.block(0, 2).first, 0u);
  EXPECT_EQ(part.num_local(2), 300u);
  for (gid_type g = 0; g < 4000; ++g) ASSERT_NE(part.owner(g), 2);
  for (gid_type g = 4000; g < 4300; ++g) ASSERT_EQ(part.owner(g), 2);
  EXPECT_THROW(block_partition({10}, 2, {}, {{false, false}}), input_error);
}

}  // namespace
}  // namespace hetspike
