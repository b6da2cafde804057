#pragma once
// An order-dependent 64-bit hash over arrays of plain data, to compare two structures built apart (an emulated
// rank's synapse store with the real rank's, a store built one way with one built another). Not cryptographic.
#include <cstdint>
#include <cstring>

namespace hetspike {

class content_hash {
 public:
  /// Adds n bytes.
  content_hash& add(const void* data, std::size_t n) {
    const auto* p = static_cast<const unsigned char*>(data);
    std::size_t i = 0;
    for (; i + 8 <= n; i += 8) {
      std::uint64_t w;
      std::memcpy(&w, p + i, 8);
      mix(w);
    }
    std::uint64_t tail = n;  // the length too, so that arrays of different sizes do not collide
    for (; i < n; ++i) tail = tail << 8 | p[i];
    mix(tail);
    return *this;
  }
  template <class View>
  content_hash& add_view(const View& v) {
    return add(v.data(), v.span() * sizeof(typename View::value_type));
  }
  std::uint64_t value() const { return h_; }

 private:
  void mix(std::uint64_t w) {
    h_ ^= w + 0x9e3779b97f4a7c15ull + (h_ << 6) + (h_ >> 2);
    h_ *= 0xbf58476d1ce4e5b9ull;
    h_ ^= h_ >> 31;
  }
  std::uint64_t h_ = 0x243f6a8885a308d3ull;
};

}  // namespace hetspike
