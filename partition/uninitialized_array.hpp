#pragma once
// A host array whose elements start unwritten, for the builder's stashes: every element that is read was written by
// the draw that fills the stash, so zeroing hundreds of megabytes first (on one thread, before the draw) would only
// cost time; its pages are first touched by the threads that write them.
#include <cstddef>
#include <memory>
#include <new>
#include <type_traits>

namespace hetspike {

template <class T>
class uninitialized_array {
  static_assert(std::is_trivially_copyable_v<T> && std::is_trivially_destructible_v<T>);

 public:
  void allocate(std::size_t n) {
    // Cache-line aligned: the stash is written a line at a time.
    data_.reset(static_cast<T*>(::operator new[](n * sizeof(T), std::align_val_t{64})));
    size_ = n;
  }
  void release() {
    data_.reset();
    size_ = 0;
  }
  T& operator[](std::size_t i) { return data_.get()[i]; }
  const T& operator[](std::size_t i) const { return data_.get()[i]; }
  T* data() { return data_.get(); }
  const T* data() const { return data_.get(); }
  std::size_t size() const { return size_; }

 private:
  struct aligned_delete {
    void operator()(T* p) const { ::operator delete[](p, std::align_val_t{64}); }
  };
  std::unique_ptr<T, aligned_delete> data_;
  std::size_t size_ = 0;
};

}  // namespace hetspike
