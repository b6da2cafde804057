#pragma once
// The only door to inter-rank communication (as Arbor's distributed_context): the simulation, the spike
// exchange and the writers call these collectives; only mpi_context.cpp includes mpi.h. A local context (one
// rank, no MPI) runs the same code in unit tests.
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

namespace hetspike {

enum class reduce_op { sum, min, max };

/// Collectives on raw elements. Counts and displacements are in elements of `elem_size` bytes, so that a
/// buffer of more than 2 GiB still has int counts.
class context_interface {
 public:
  virtual ~context_interface() = default;
  virtual int rank() const = 0;
  virtual int size() const = 0;
  virtual void alltoall_int(const int* send, int* recv) const = 0;
  virtual void alltoallv(const void* send, const int* send_counts, const int* send_displs, void* recv,
                         const int* recv_counts, const int* recv_displs, std::size_t elem_size) const = 0;
  virtual void allreduce(std::int64_t* values, std::size_t n, reduce_op op) const = 0;
  virtual void allreduce(double* values, std::size_t n, reduce_op op) const = 0;
  virtual std::int64_t exclusive_scan_sum(std::int64_t value) const = 0;
  virtual void allgatherv(const void* send, int send_count, void* recv, const int* recv_counts, const int* recv_displs,
                          std::size_t elem_size) const = 0;
  virtual void broadcast(void* data, std::size_t bytes, int root) const = 0;
  virtual void barrier() const = 0;
  [[noreturn]] virtual void abort(int exit_code) const = 0;
  virtual std::string name() const = 0;
};

/// Value-semantic handle to a context; cheap to copy.
class distributed_context {
 public:
  explicit distributed_context(std::shared_ptr<const context_interface> impl) : impl_(std::move(impl)) {}

  int rank() const { return impl_->rank(); }
  int size() const { return impl_->size(); }
  std::string name() const { return impl_->name(); }
  void barrier() const { impl_->barrier(); }
  /// Ends every rank of the job at once with this exit code (MPI_Abort); never returns.
  [[noreturn]] void abort(int exit_code) const {
    impl_->abort(exit_code);
    std::_Exit(exit_code);  // unreachable: the implementations do not return either
  }

  /// One int to and from every rank.
  std::vector<int> alltoall(const std::vector<int>& send) const {
    std::vector<int> recv(send.size());
    impl_->alltoall_int(send.data(), recv.data());
    return recv;
  }

  /// As alltoall, into a caller-owned vector (no allocation once sized).
  void alltoall_into(const std::vector<int>& send, std::vector<int>& recv) const {
    recv.resize(send.size());
    impl_->alltoall_int(send.data(), recv.data());
  }

  /// Sends send[displs[r] .. +counts[r]) to rank r; returns what every rank sent here, in rank order.
  /// `recv_counts` receives the count from each rank.
  template <class T>
  std::vector<T> alltoallv(std::span<const T> send, const std::vector<int>& send_counts,
                           std::vector<int>& recv_counts) const {
    static_assert(std::is_trivially_copyable_v<T>, "alltoallv sends raw bytes");
    recv_counts = alltoall(send_counts);
    const auto send_displs = displacements(send_counts);
    const auto recv_displs = displacements(recv_counts);
    std::vector<T> recv(total(recv_counts));
    impl_->alltoallv(send.data(), send_counts.data(), send_displs.data(), recv.data(), recv_counts.data(),
                     recv_displs.data(), sizeof(T));
    return recv;
  }

  /// Like alltoallv, into caller-owned buffers that are reused across calls (no allocation once warm).
  template <class T>
  void alltoallv_into(const T* send, const std::vector<int>& send_counts, const std::vector<int>& send_displs, T* recv,
                      const std::vector<int>& recv_counts, const std::vector<int>& recv_displs) const {
    static_assert(std::is_trivially_copyable_v<T>, "alltoallv sends raw bytes");
    impl_->alltoallv(send, send_counts.data(), send_displs.data(), recv, recv_counts.data(), recv_displs.data(),
                     sizeof(T));
  }

  std::int64_t sum(std::int64_t v) const { return reduce(v, reduce_op::sum); }
  std::int64_t min(std::int64_t v) const { return reduce(v, reduce_op::min); }
  std::int64_t max(std::int64_t v) const { return reduce(v, reduce_op::max); }
  double sum(double v) const { return reduce(v, reduce_op::sum); }
  double min(double v) const { return reduce(v, reduce_op::min); }
  double max(double v) const { return reduce(v, reduce_op::max); }

  /// Element-wise reduction of a vector in place, same length on every rank.
  void reduce_in_place(std::vector<std::int64_t>& v, reduce_op op) const { impl_->allreduce(v.data(), v.size(), op); }
  void reduce_in_place(std::vector<double>& v, reduce_op op) const { impl_->allreduce(v.data(), v.size(), op); }

  /// Sum of `value` over the ranks below this one.
  std::int64_t exclusive_scan_sum(std::int64_t value) const { return impl_->exclusive_scan_sum(value); }

  /// Every rank's elements, concatenated in rank order, on every rank.
  template <class T>
  std::vector<T> allgather(std::span<const T> send) const {
    static_assert(std::is_trivially_copyable_v<T>, "allgather sends raw bytes");
    const int mine = static_cast<int>(send.size());
    std::vector<int> ones(size(), 1), all_counts(size()), displs = displacements(ones);
    impl_->allgatherv(&mine, 1, all_counts.data(), ones.data(), displs.data(), sizeof(int));
    const auto d = displacements(all_counts);
    std::vector<T> out(total(all_counts));
    impl_->allgatherv(send.data(), mine, out.data(), all_counts.data(), d.data(), sizeof(T));
    return out;
  }
  template <class T>
  std::vector<T> allgather(const T& value) const {
    return allgather(std::span<const T>(&value, 1));
  }

  /// Rank `root`'s string on every rank.
  std::string broadcast(std::string s, int root = 0) const {
    std::uint64_t n = s.size();
    impl_->broadcast(&n, sizeof n, root);
    s.resize(n);
    impl_->broadcast(s.data(), n, root);
    return s;
  }

  const context_interface& impl() const { return *impl_; }

  static std::vector<int> displacements(const std::vector<int>& counts) {
    std::vector<int> d(counts.size(), 0);
    for (std::size_t i = 1; i < counts.size(); ++i) d[i] = d[i - 1] + counts[i - 1];
    return d;
  }

 private:
  template <class T>
  T reduce(T v, reduce_op op) const {
    impl_->allreduce(&v, 1, op);
    return v;
  }
  static std::size_t total(const std::vector<int>& counts) {
    std::size_t n = 0;
    for (int c : counts) n += static_cast<std::size_t>(c);
    return n;
  }

  std::shared_ptr<const context_interface> impl_;
};

/// A single rank without MPI: every collective is a copy.
distributed_context make_local_context();

}  // namespace hetspike
