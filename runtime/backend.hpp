#pragma once
// Which kind of node a rank is (DESIGN.md, "Backends and heterogeneity"): CPU cores, a GPU, or an emulated
// neuromorphic accelerator. Chosen at start-up by --backend and an optional rank map; every rank learns every
// rank's kind, since the partition places neuromorphic populations on neuromorphic ranks.
#include <string>
#include <string_view>
#include <vector>

#include "runtime/distributed_context.hpp"

namespace hetspike {

enum class backend_kind { cpu, gpu, neuromorphic };

std::string_view backend_name(backend_kind kind);

/// Where a rank runs and why (for the report).
struct backend_choice {
  backend_kind kind = backend_kind::cpu;
  std::string device;  ///< "Kokkos::Serial, 1 thread", "Kokkos::OpenMP, 8 threads", "Kokkos::Cuda device 1", ...
  std::string why;     ///< "--backend cpu", "rank map rule 2 (2:neuromorphic)", "auto: no GPU in this build"
};

/// What the process knows about itself for rank-map rules.
struct rank_facts {
  int rank = 0;
  int local_rank = 0;     ///< among the ranks on this node
  int ranks_on_node = 1;  ///< this rank included
  std::string hostname;
  std::string het_job_id;  ///< SLURM_HET_JOB_ID, "" outside a heterogeneous job
  std::string slurm_local_id;
  bool device_available = false;  ///< Kokkos has a device backend and this rank sees a device
};

/// The facts of this process: hostname and SLURM_* from the environment; local rank from the context.
rank_facts gather_rank_facts(const distributed_context& ctx);

/// This rank's backend: the first rule of `rank_map` that matches, else `default_backend` ("auto", "cpu",
/// "gpu", "neuromorphic"). Rules are comma separated SELECTOR:BACKEND with selectors `N` or `N-M` (ranks),
/// `local=N` (local rank), `het=K` (SLURM_HET_JOB_ID), `host=PATTERN` (shell pattern on the hostname).
/// "auto" is gpu where a device is available, else cpu. Throws input_error for malformed input and for a gpu
/// request this build or rank cannot serve.
backend_choice choose_backend(std::string_view default_backend, std::string_view rank_map, const rank_facts& facts);

/// Every rank's kind (collective).
std::vector<backend_kind> all_backends(const distributed_context& ctx, backend_kind mine);

}  // namespace hetspike
