// hetspike_build_bench: one rank's network build, alone and repeated, for each of several cases in turn.
//
//   hetspike_build_bench [--repeat N] [--threads T] MODEL "P [NAME=VALUE ...]" ["P [NAME=VALUE ...]" ...]
//
// A case is rank 0 of a P-rank job of MODEL with the given --set values, built as an emulated rank builds it (no
// routes: they are timed apart). Cases alternate within each repetition, so that the machine's slow moments fall
// on all of them alike; per case it prints the median and fastest build seconds and synapses per second, and, for
// each case after the first, the median of its per-repetition ratios to the first (what docs/scaling.md calls the
// build ratio); and the median CPU seconds of all threads (against the wall seconds: how busy the threads kept). Faster
// to repeat than `hetspike run --emulate-ranks` (no routes, no report, no run).
#include <Kokkos_Core.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <sstream>
#include <string>
#include <vector>

#include "io/model_file.hpp"
#include "partition/connectivity_builder.hpp"
#include "partition/local_network.hpp"

namespace {

struct bench_case {
  std::string text;
  int ranks = 1;
  hetspike::model_file model;
  std::vector<double> seconds, cpu_seconds;
  std::uint64_t synapses = 0;
};

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/// CPU seconds of all the process's threads so far: over the wall seconds, how well the build's threads kept busy.
double process_cpu_seconds() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + 1e-9 * static_cast<double>(t.tv_nsec);
}

int usage() {
  std::fprintf(stderr,
               "usage: hetspike_build_bench [--repeat N] [--threads T] MODEL \"P [NAME=VALUE ...]\" ...\n"
               "  each case: the rank count P of the job whose rank 0 is built, then --set values\n");
  return 2;
}

}  // namespace

int main(int argc, char* argv[]) {
  int repeat = 5, threads = 0;
  std::vector<std::string> positional;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if ((a == "--repeat" || a == "--threads") && i + 1 < argc)
      (a == "--repeat" ? repeat : threads) = std::atoi(argv[++i]);
    else if (a.rfind("--", 0) == 0)
      return usage();
    else
      positional.push_back(a);
  }
  if (positional.size() < 2 || repeat < 1) return usage();
  Kokkos::ScopeGuard kokkos;  // not given argv: Kokkos would take --threads for its own
  try {
    std::vector<bench_case> cases;
    for (std::size_t i = 1; i < positional.size(); ++i) {
      bench_case c;
      c.text = positional[i];
      std::istringstream words(c.text);
      hetspike::model_overrides overrides;
      if (!(words >> c.ranks) || c.ranks < 1) {
        std::fprintf(stderr, "case \"%s\": begins with the rank count P, a positive integer\n", c.text.c_str());
        return 2;
      }
      for (std::string w; words >> w;) overrides.set.push_back(w);
      c.model = hetspike::load_model_file(positional[0], overrides);
      cases.push_back(std::move(c));
    }
    for (int r = 0; r < repeat; ++r)
      for (auto& c : cases) {
        const auto& net = c.model.spec.network;
        std::vector<std::uint64_t> sizes;
        for (const auto& p : net.populations) sizes.push_back(p.size);
        const hetspike::block_partition partition(sizes, c.ranks);
        hetspike::build_options how;
        how.row_sources = false;  // as an emulated rank
        how.placement.threads = threads;
        const double cpu_start = process_cpu_seconds();
        const auto start = std::chrono::steady_clock::now();
        const auto layout = hetspike::make_local_layout(net, partition, 0);
        const auto built = hetspike::build_connectivity(net, partition, layout, how);
        c.seconds.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
        c.cpu_seconds.push_back(process_cpu_seconds() - cpu_start);
        c.synapses = built.num_synapses;
      }
    std::printf("%-40s %12s %10s %10s %10s %14s %8s\n", "case", "synapses", "median s", "fastest s", "cpu s",
                "synapses/s", "ratio");
    for (auto& c : cases) {
      const double m = median(c.seconds);
      std::string ratio = "";
      if (&c != &cases.front()) {
        std::vector<double> per;
        for (int r = 0; r < repeat; ++r) per.push_back(c.seconds[r] / cases.front().seconds[r]);
        ratio = std::to_string(median(per)).substr(0, 5);
      }
      std::printf("%-40s %12llu %10.3f %10.3f %10.3f %14.3g %8s\n", c.text.c_str(),
                  static_cast<unsigned long long>(c.synapses), m, *std::min_element(c.seconds.begin(), c.seconds.end()),
                  median(c.cpu_seconds), static_cast<double>(c.synapses) / m, ratio.c_str());
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "hetspike_build_bench: %s\n", e.what());
    return 1;
  }
  return 0;
}
