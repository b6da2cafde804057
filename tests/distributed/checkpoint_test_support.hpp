#pragma once
// What the checkpoint tests share: fields of every type with ragged column blocks (rank 2 of 3 or 4 holds none)
// or all columns on rank 0, their values, a full header, and checks that run on every rank.
#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "io/checkpoint_file.hpp"
#include "partition/error.hpp"
#include "test_context.hpp"

namespace hetspike::checkpoint_testing {

namespace fs = std::filesystem;
using test::context;

/// The value of element (row, column) of field number `f`: distinct per field, row and column, with negative
/// and top-bit values where the type has them.
template <class T>
T value_of(int f, std::uint64_t row, std::uint64_t column) {
  const std::uint64_t n = static_cast<std::uint64_t>(f) * 1000003u + row * 7919u + column;
  if constexpr (std::is_same_v<T, double>) return static_cast<double>(n) * 0.25 - 1e6;
  if constexpr (std::is_same_v<T, std::uint64_t>) return 0xF000000000000000ull + n;
  if constexpr (std::is_same_v<T, std::int64_t>) return -static_cast<std::int64_t>(n) * 3;
  if constexpr (std::is_same_v<T, std::int32_t>) return -static_cast<std::int32_t>(n % 1000000000u);
  if constexpr (std::is_same_v<T, std::uint32_t>) return 0x80000000u + static_cast<std::uint32_t>(n % 1000000u);
}

/// Calls f(T{}) with the C++ type of `t`.
template <class F>
void with_type(field_type t, F&& f) {
  switch (t) {
    case field_type::f64:
      return f(double{});
    case field_type::i32:
      return f(std::int32_t{});
    case field_type::u32:
      return f(std::uint32_t{});
    case field_type::i64:
      return f(std::int64_t{});
    case field_type::u64:
      return f(std::uint64_t{});
  }
}

/// How columns are split over ranks: by weights (rank + 1) % 3, so that rank 2 of 3 or 4 holds none, or all
/// on rank 0.
enum class split { ragged, all_on_rank_0 };

inline std::pair<std::uint64_t, std::uint64_t> block_of(std::uint64_t columns, split how) {
  const auto& ctx = context();
  if (how == split::all_on_rank_0) return {0, ctx.rank() == 0 ? columns : 0};
  auto weight = [](int r) { return static_cast<std::uint64_t>((r + 1) % 3); };
  std::uint64_t before = 0, total = 0;
  for (int r = 0; r < ctx.size(); ++r) (r < ctx.rank() ? before : total) += weight(r);
  total += before;
  const std::uint64_t first = columns * before / total;
  const std::uint64_t end = columns * (before + weight(ctx.rank())) / total;
  return {first, end - first};
}

/// One field and this rank's storage for it.
struct test_field {
  checkpoint_field field;
  std::vector<unsigned char> bytes;
};

struct field_shape {
  std::string name;
  field_type type;
  std::uint64_t rows;
  std::uint64_t columns;
};

/// Every type with 1 and 3 rows, one big field (2.4 MB), and one with no columns at all.
inline std::vector<field_shape> test_shapes() {
  std::vector<field_shape> shapes;
  int i = 0;
  for (field_type t : {field_type::f64, field_type::i32, field_type::u32, field_type::i64, field_type::u64}) {
    shapes.push_back({"populations/P" + std::to_string(i) + "/one_row", t, 1, 37});
    shapes.push_back({"populations/P" + std::to_string(i) + "/input/0", t, 3, 37});
    ++i;
  }
  shapes.push_back({"big", field_type::f64, 2, 150001});  // 2.4 MB
  shapes.push_back({"empty", field_type::u32, 1, 0});
  return shapes;
}

/// This rank's blocks of `shapes`, filled with value_of (or zeros, for reading into).
inline std::vector<test_field> make_fields(const std::vector<field_shape>& shapes, split how, bool fill) {
  std::vector<test_field> out(shapes.size());
  for (std::size_t f = 0; f < shapes.size(); ++f) {
    const auto& s = shapes[f];
    const auto [first, count] = block_of(s.columns, how);
    auto& tf = out[f];
    tf.field = {s.name, s.type, s.rows, s.columns, first, count, nullptr};
    with_type(s.type, [&](auto zero) {
      using T = decltype(zero);
      tf.bytes.assign(s.rows * count * sizeof(T), 0);
      auto* data = reinterpret_cast<T*>(tf.bytes.data());
      if (fill)
        for (std::uint64_t r = 0; r < s.rows; ++r)
          for (std::uint64_t c = 0; c < count; ++c)
            data[r * count + c] = value_of<T>(static_cast<int>(f), r, first + c);
    });
    tf.field.data = tf.bytes.data();
  }
  return out;
}

inline std::vector<checkpoint_field> views(std::vector<test_field>& fields) {
  std::vector<checkpoint_field> v;
  for (auto& f : fields) v.push_back(f.field);
  return v;
}

inline checkpoint_header test_header(std::int64_t step) {
  checkpoint_header h;
  h.step = step;
  h.dt = 0.1;
  h.d_min = 15;
  h.d_max = 40;
  h.ranks = 999;  // replaced by the store
  h.seed = 4000000000u;
  h.model_hash = "0123456789abcdef";
  h.model_text = "network\npopulation E 100\n";
  h.model_source = std::string(100000, 'x') + "\n# große Datei\n";  // longer than an attribute may be
  h.model_path = "/models/brunel.toml";
  h.model_overrides = "";
  h.hetspike_version = "0.3.0";
  h.build_id = "g++ 12.2, Kokkos 3.4 Serial";
  h.run_id = "run-42";
  h.t_presim = 100.5;
  h.recorded_populations = {"E", "inhibitory"};
  h.recorded_spikes = {12345, 0};
  h.weight_samples = {3, 0};
  h.weight_synapses = {40, 7};
  h.spikes = 1ull << 40;
  h.spike_hash = 0xFEDCBA9876543210ull;
  h.synaptic_events = 77;
  h.spikes_emitted = 88;
  return h;
}

inline void expect_same_header(const checkpoint_header& got, const checkpoint_header& want, int ranks) {
  EXPECT_EQ(got.step, want.step);
  EXPECT_EQ(got.dt, want.dt);
  EXPECT_EQ(got.d_min, want.d_min);
  EXPECT_EQ(got.d_max, want.d_max);
  EXPECT_EQ(got.ranks, ranks);
  EXPECT_EQ(got.seed, want.seed);
  EXPECT_EQ(got.model_hash, want.model_hash);
  EXPECT_EQ(got.model_text, want.model_text);
  EXPECT_EQ(got.model_source, want.model_source);
  EXPECT_EQ(got.model_path, want.model_path);
  EXPECT_EQ(got.model_overrides, want.model_overrides);
  EXPECT_EQ(got.hetspike_version, want.hetspike_version);
  EXPECT_EQ(got.build_id, want.build_id);
  EXPECT_EQ(got.run_id, want.run_id);
  EXPECT_EQ(got.t_presim, want.t_presim);
  EXPECT_EQ(got.recorded_populations, want.recorded_populations);
  EXPECT_EQ(got.recorded_spikes, want.recorded_spikes);
  EXPECT_EQ(got.weight_samples, want.weight_samples);
  EXPECT_EQ(got.weight_synapses, want.weight_synapses);
  EXPECT_EQ(got.spikes, want.spikes);
  EXPECT_EQ(got.spike_hash, want.spike_hash);
  EXPECT_EQ(got.synaptic_events, want.synaptic_events);
  EXPECT_EQ(got.spikes_emitted, want.spikes_emitted);
}

/// Reads `file` with `how`'s split and compares every element with value_of.
inline void expect_reads_back(const fs::path& file, split how) {
  const auto shapes = test_shapes();
  auto expected = make_fields(shapes, how, true);
  auto got = make_fields(shapes, how, false);
  hdf5_checkpoint_source source(context(), file);
  EXPECT_EQ(source.name(), file.string());
  source.read(views(got));
  for (std::size_t f = 0; f < shapes.size(); ++f) EXPECT_EQ(got[f].bytes, expected[f].bytes) << shapes[f].name;
}

/// Runs f on every rank and expects the same input_error everywhere, containing every one of `parts`.
inline void expect_input_error_everywhere(const std::function<void()>& f, const std::vector<std::string>& parts) {
  std::string message;
  try {
    f();
    ADD_FAILURE() << "expected input_error";
  } catch (const input_error& e) {
    message = e.what();
  }
  for (const auto& part : parts) EXPECT_NE(message.find(part), std::string::npos) << message << "\nlacks: " << part;
  EXPECT_EQ(context().broadcast(message), message) << "ranks disagree";
}

inline fs::path write_test_checkpoint(const fs::path& dir, std::int64_t step, int keep = 3) {
  hdf5_checkpoint_store store(context(), dir, keep);
  auto fields = make_fields(test_shapes(), split::ragged, true);
  return store.write(test_header(step), views(fields));
}

}  // namespace hetspike::checkpoint_testing
