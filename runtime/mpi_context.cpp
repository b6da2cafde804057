#include "runtime/mpi_context.hpp"

#include <cstring>
#include <exception>
#include <memory>
#include <mutex>
#include <vector>

namespace hetspike {

namespace {

std::string mpi_error_text(int code) {
  char text[MPI_MAX_ERROR_STRING];
  int len = 0;
  if (MPI_Error_string(code, text, &len) != MPI_SUCCESS) return "unknown MPI error";
  return std::string(text, static_cast<std::size_t>(len));
}

void check(int code, const char* call) {
  if (code != MPI_SUCCESS) throw mpi_error(call, code);
}
#define HETSPIKE_MPI(call) check((call), #call)

MPI_Op to_mpi(reduce_op op) {
  switch (op) {
    case reduce_op::sum:
      return MPI_SUM;
    case reduce_op::min:
      return MPI_MIN;
    case reduce_op::max:
      return MPI_MAX;
  }
  return MPI_SUM;
}

/// A contiguous MPI datatype of `bytes` bytes, so that counts stay in elements (RAII: freed on scope exit).
class byte_block_type {
 public:
  explicit byte_block_type(std::size_t bytes) {
    HETSPIKE_MPI(MPI_Type_contiguous(static_cast<int>(bytes), MPI_BYTE, &type_));
    HETSPIKE_MPI(MPI_Type_commit(&type_));
  }
  ~byte_block_type() { MPI_Type_free(&type_); }
  byte_block_type(const byte_block_type&) = delete;
  byte_block_type& operator=(const byte_block_type&) = delete;
  MPI_Datatype get() const { return type_; }

 private:
  MPI_Datatype type_ = MPI_DATATYPE_NULL;
};

class mpi_context_impl final : public context_interface {
 public:
  mpi_context_impl() {
    HETSPIKE_MPI(MPI_Comm_dup(MPI_COMM_WORLD, &comm_));
    HETSPIKE_MPI(MPI_Comm_set_errhandler(comm_, MPI_ERRORS_RETURN));
    HETSPIKE_MPI(MPI_Comm_rank(comm_, &rank_));
    HETSPIKE_MPI(MPI_Comm_size(comm_, &size_));
  }
  ~mpi_context_impl() override {
    int finalized = 0;
    MPI_Finalized(&finalized);
    if (!finalized) MPI_Comm_free(&comm_);
  }

  int rank() const override { return rank_; }
  int size() const override { return size_; }
  std::string name() const override { return "mpi"; }
  MPI_Comm comm() const { return comm_; }

  void alltoall_int(const int* send, int* recv) const override {
    HETSPIKE_MPI(MPI_Alltoall(send, 1, MPI_INT, recv, 1, MPI_INT, comm_));
  }
  void alltoallv(const void* send, const int* send_counts, const int* send_displs, void* recv, const int* recv_counts,
                 const int* recv_displs, std::size_t elem_size) const override {
    const byte_block_type t(elem_size);
    HETSPIKE_MPI(
        MPI_Alltoallv(send, send_counts, send_displs, t.get(), recv, recv_counts, recv_displs, t.get(), comm_));
  }
  void allreduce(std::int64_t* values, std::size_t n, reduce_op op) const override {
    HETSPIKE_MPI(MPI_Allreduce(MPI_IN_PLACE, values, static_cast<int>(n), MPI_INT64_T, to_mpi(op), comm_));
  }
  void allreduce(double* values, std::size_t n, reduce_op op) const override {
    HETSPIKE_MPI(MPI_Allreduce(MPI_IN_PLACE, values, static_cast<int>(n), MPI_DOUBLE, to_mpi(op), comm_));
  }
  std::int64_t exclusive_scan_sum(std::int64_t value) const override {
    std::int64_t result = 0;
    HETSPIKE_MPI(MPI_Exscan(&value, &result, 1, MPI_INT64_T, MPI_SUM, comm_));
    return rank_ == 0 ? 0 : result;  // MPI leaves rank 0's result undefined
  }
  void allgatherv(const void* send, int send_count, void* recv, const int* recv_counts, const int* recv_displs,
                  std::size_t elem_size) const override {
    const byte_block_type t(elem_size);
    HETSPIKE_MPI(MPI_Allgatherv(send, send_count, t.get(), recv, recv_counts, recv_displs, t.get(), comm_));
  }
  void broadcast(void* data, std::size_t bytes, int root) const override {
    const byte_block_type t(1);
    HETSPIKE_MPI(MPI_Bcast(data, static_cast<int>(bytes), t.get(), root, comm_));
  }
  void barrier() const override { HETSPIKE_MPI(MPI_Barrier(comm_)); }
  [[noreturn]] void abort(int exit_code) const override {
    MPI_Abort(MPI_COMM_WORLD, exit_code);
    std::_Exit(exit_code);  // MPI_Abort does not return; this keeps [[noreturn]] honest if it does
  }

 private:
  MPI_Comm comm_ = MPI_COMM_NULL;
  int rank_ = 0;
  int size_ = 1;
};

}  // namespace

mpi_error::mpi_error(const std::string& call, int code) : std::runtime_error(call + ": " + mpi_error_text(code)) {}

mpi_environment::mpi_environment(int& argc, char**& argv) : uncaught_at_start_(std::uncaught_exceptions()) {
  int provided = 0;
  HETSPIKE_MPI(MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided));
}

mpi_environment::~mpi_environment() {
  if (std::uncaught_exceptions() > uncaught_at_start_) return;
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (!finalized) MPI_Finalize();
}

distributed_context make_mpi_context() { return distributed_context(std::make_shared<mpi_context_impl>()); }

MPI_Comm mpi_communicator(const distributed_context& ctx) {
  if (const auto* m = dynamic_cast<const mpi_context_impl*>(&ctx.impl())) return m->comm();
  return MPI_COMM_SELF;
}

}  // namespace hetspike
