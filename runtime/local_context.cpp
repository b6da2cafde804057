// One rank, no MPI: every collective copies the caller's data to itself.
#include <cstdlib>
#include <cstring>

#include "runtime/distributed_context.hpp"

namespace hetspike {

namespace {

class local_context_impl final : public context_interface {
 public:
  int rank() const override { return 0; }
  int size() const override { return 1; }
  std::string name() const override { return "local"; }
  void alltoall_int(const int* send, int* recv) const override { *recv = *send; }
  void alltoallv(const void* send, const int* send_counts, const int* send_displs, void* recv, const int*,
                 const int* recv_displs, std::size_t elem_size) const override {
    copy(send, send_displs[0], send_counts[0], recv, recv_displs[0], elem_size);
  }
  void allreduce(std::int64_t*, std::size_t, reduce_op) const override {}
  void allreduce(double*, std::size_t, reduce_op) const override {}
  std::int64_t exclusive_scan_sum(std::int64_t) const override { return 0; }
  void allgatherv(const void* send, int send_count, void* recv, const int*, const int* recv_displs,
                  std::size_t elem_size) const override {
    copy(send, 0, send_count, recv, recv_displs[0], elem_size);
  }
  void broadcast(void*, std::size_t, int) const override {}
  void barrier() const override {}
  [[noreturn]] void abort(int exit_code) const override { std::_Exit(exit_code); }

 private:
  static void copy(const void* src, int src_off, int count, void* dst, int dst_off, std::size_t elem) {
    if (count <= 0) return;
    std::memmove(static_cast<char*>(dst) + static_cast<std::size_t>(dst_off) * elem,
                 static_cast<const char*>(src) + static_cast<std::size_t>(src_off) * elem,
                 static_cast<std::size_t>(count) * elem);
  }
};

}  // namespace

distributed_context make_local_context() { return distributed_context(std::make_shared<local_context_impl>()); }

}  // namespace hetspike
