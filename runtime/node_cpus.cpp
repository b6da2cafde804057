#include "runtime/node_cpus.hpp"

#include <sched.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>

#include "kernels/content_hash.hpp"

#ifdef _OPENMP
#include <omp.h>
#endif

namespace hetspike {

int threads_sharing_cpus(int cpus, int ranks_sharing) { return std::max(1, cpus / std::max(1, ranks_sharing)); }

void share_cpus_among_ranks(const distributed_context& ctx) {
  // Every rank takes part in the collective, whatever it then decides.
  cpu_set_t mask;
  CPU_ZERO(&mask);
  const bool known = sched_getaffinity(0, sizeof mask, &mask) == 0;
  char host[256] = {};
  gethostname(host, sizeof host - 1);
  // Ranks share CPUs when they run on the same host with the same affinity mask.
  content_hash key;
  key.add(host, sizeof host).add(&mask, sizeof mask);
  const auto keys = ctx.allgather(key.value());
  const auto sharing = static_cast<int>(std::count(keys.begin(), keys.end(), key.value()));
  const char* user_choice = std::getenv("OMP_NUM_THREADS");
  if (!known || (user_choice && *user_choice)) return;
#ifdef _OPENMP
  omp_set_num_threads(std::min(omp_get_max_threads(), threads_sharing_cpus(CPU_COUNT(&mask), sharing)));
#endif
}

}  // namespace hetspike
