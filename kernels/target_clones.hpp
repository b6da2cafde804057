#pragma once
// HETSPIKE_TARGET_CLONES before a host function's definition builds it for AVX-512 and AVX2 besides the baseline,
// where the compiler allows (GCC's target clones, chosen at run time), so that a binary built for any x86-64 runs
// the widest vectors its CPU has. Only for functions whose results cannot depend on the level: integer code, or
// floating point without FMAs (-ffp-contract=off). A libm call stays a call of the same scalar function in every
// clone: GCC substitutes glibc's vector variants only under -ffast-math, which this project never sets.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && __GNUC__ >= 12 && !defined(__CUDACC__)
#define HETSPIKE_TARGET_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define HETSPIKE_TARGET_CLONES
#endif
