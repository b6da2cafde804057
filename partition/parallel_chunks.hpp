#pragma once
// The host-side threading of network building: OpenMP directly (DESIGN.md: it is part of our stack whatever
// backend Kokkos has). Work is cut so that the result never depends on the thread count: threads take fixed
// chunks or fixed ranks of work, and an exception inside a parallel region (which must not escape it) is
// rethrown afterwards, the lowest chunk's first, so that even the error a user sees is the same.
#include <cstddef>
#include <exception>
#include <vector>

#ifdef _OPENMP
#include <omp.h>
#endif

namespace hetspike {

/// Threads the builder uses when told 0: OpenMP's default (OMP_NUM_THREADS, else the cores).
inline int default_build_threads() {
#ifdef _OPENMP
  return omp_get_max_threads();
#else
  return 1;
#endif
}

/// The calling thread's number within parallel_chunks or parallel_threads, 0 outside them: an index into
/// per-thread scratch space.
inline int build_thread() {
#ifdef _OPENMP
  return omp_get_thread_num();
#else
  return 0;
#endif
}

/// Calls f(i) for every i in [0, n), spread over `threads` threads (dynamic schedule: chunks differ in cost). One
/// chunk, or one thread, runs without a parallel region: builders call this once per projection, and a region's
/// barrier costs a time slice whenever the node's CPUs are oversubscribed.
template <class F>
void parallel_chunks(std::size_t n, int threads, F&& f) {
  if (n <= 1 || threads <= 1) {
    for (std::size_t i = 0; i < n; ++i) f(i);
    return;
  }
  std::vector<std::exception_ptr> errors(n);
#ifdef _OPENMP
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads)
#endif
  for (std::size_t i = 0; i < n; ++i) {
    try {
      f(i);
    } catch (...) {
      errors[i] = std::current_exception();
    }
  }
  for (auto& e : errors)
    if (e) std::rethrow_exception(e);
}

/// Calls f(t) once for each t in [0, threads), each on its own thread (work split by thread rank).
template <class F>
void parallel_threads(int threads, F&& f) {
  parallel_chunks(static_cast<std::size_t>(threads > 0 ? threads : 1), threads, std::forward<F>(f));
}

}  // namespace hetspike
