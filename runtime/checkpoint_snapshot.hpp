#pragma once
// A checkpoint's arrays for one rank as the simulation hands them to io/ (runtime/checkpoint.hpp), with the host
// buffers they point into and, for a restore, the copies that put those buffers back into the state.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

#include "partition/local_network.hpp"
#include "runtime/checkpoint.hpp"

namespace hetspike {

struct checkpoint_snapshot {
  std::vector<checkpoint_field> fields;
  std::vector<std::shared_ptr<void>> buffers;
  std::vector<std::function<void()>> commit;
};

template <class T>
constexpr field_type field_type_of() {
  if constexpr (std::is_same_v<T, double>) return field_type::f64;
  if constexpr (std::is_same_v<T, std::int32_t>) return field_type::i32;
  if constexpr (std::is_same_v<T, std::uint32_t>) return field_type::u32;
  if constexpr (std::is_same_v<T, std::int64_t>) return field_type::i64;
  if constexpr (std::is_same_v<T, std::uint64_t>) return field_type::u64;
}

/// A field over the columns of a population (`population_size` in all, starting at gid `population_first`) that
/// this rank holds, pointing at `data`.
template <class T>
checkpoint_field population_field(const std::string& name, const local_population& lp, gid_type population_first,
                                  std::uint64_t population_size, T* data, std::uint64_t rows = 1) {
  return {name, field_type_of<T>(), rows, population_size, lp.first_gid - population_first, lp.count, data};
}

}  // namespace hetspike
