#pragma once
// An allocator for large host arrays that start as zeros: the memory comes from calloc, which for large blocks
// maps fresh pages the kernel has zeroed already, and value-initialising an element writes nothing. A vector of
// a hundred million rows' STDP state is then ready at once instead of being zeroed on one thread at build time;
// each page is first written when one of its rows first sees a spike.
#include <cstdlib>
#include <new>
#include <type_traits>
#include <utility>

namespace hetspike {

template <class T>
struct zeroed_allocator {
  // All-zero bytes must be the value-initialised element.
  static_assert(std::is_arithmetic_v<T>, "zeroed_allocator holds numbers only");
  using value_type = T;

  zeroed_allocator() = default;
  template <class U>
  zeroed_allocator(const zeroed_allocator<U>&) noexcept {}

  T* allocate(std::size_t n) {
    if (void* p = std::calloc(n, sizeof(T))) return static_cast<T*>(p);
    throw std::bad_alloc();
  }
  void deallocate(T* p, std::size_t) noexcept { std::free(p); }

  /// Value-initialisation: the zeros are there already.
  template <class U>
  void construct(U*) noexcept {}
  template <class U, class... Args>
  void construct(U* p, Args&&... args) {
    ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
  }

  template <class U>
  bool operator==(const zeroed_allocator<U>&) const noexcept {
    return true;
  }
};

}  // namespace hetspike
