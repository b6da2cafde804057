#pragma once
// The ring's fixed-point input as a double, for models' steps (host and device) and fixed_point_scale alike.
// Without Kokkos, as model headers are (model_description.hpp).
#include <bit>
#include <cstdint>

#include "kernels/types.hpp"

#if defined(__CUDACC__) || defined(__HIPCC__)
#define HETSPIKE_FIXED_TO_DOUBLE_FUNCTION __host__ __device__ inline
#else
#define HETSPIKE_FIXED_TO_DOUBLE_FUNCTION inline
#endif

namespace hetspike {

/// static_cast<double>(x), written on x86 hosts so that loops over neurons vectorise: x86 has no vector conversion
/// of 64-bit integers before AVX-512, and one such cast kept every model update scalar. The two halves are exact
/// doubles (the low one by placing its bits in the mantissa of 2^52) and their sum rounds once, as the cast does:
/// the same double for every x (tests/unit/test_fixed_point.cpp). Devices and other CPUs convert natively.
HETSPIKE_FIXED_TO_DOUBLE_FUNCTION double fixed_to_double(fixed_type x) {
#if defined(__x86_64__) && !defined(__CUDA_ARCH__) && !defined(__HIP_DEVICE_COMPILE__)
  const auto bits = static_cast<std::uint64_t>(x);
  const double high = static_cast<double>(static_cast<std::int32_t>(bits >> 32)) * 0x1p32;
  const double low = std::bit_cast<double>((bits & 0xffffffffu) | 0x4330000000000000u) - 0x1p52;
  return high + low;
#else
  return static_cast<double>(x);
#endif
}

}  // namespace hetspike
