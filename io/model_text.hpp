#pragma once
// What a model file's text may be before it is parsed: its size, and how deep its tables, arrays and dotted keys
// nest. The TOML parser holds the whole tree in memory and walks it recursively, so a file of gigabytes, or a key
// of 10^5 dotted parts (a.a.a.a...), would exhaust the memory or the stack of every rank before any check of ours.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace hetspike {

/// The largest model file read: far beyond any network description (the reference models take a few KB; one
/// projection per pair of 254 populations, the multi-area model's, about 10 MB), and parsed on every rank in about
/// 30 times its size of memory.
inline constexpr std::uintmax_t max_model_file_bytes = std::uintmax_t{64} << 20;

/// The deepest nesting of tables, arrays and dotted-key parts in a model file (the format itself needs 4).
inline constexpr std::size_t max_model_nesting = 64;

/// Where a text nests deeper than some limit: 1-based line and column, and the depth reached there.
struct nesting_position {
  std::size_t line = 0, column = 0, depth = 0;
};

/// The first place where `text`, read as TOML, nests tables, arrays and dotted keys deeper than `max_depth`, or
/// nothing. Counts what the parser will build, without building it: a header [a.b] or a key a.b is 2 levels, a
/// key a.b = { c = [ [1] ] } 5; comments and strings are skipped. One pass, constant memory per open bracket.
std::optional<nesting_position> nesting_beyond(std::string_view text, std::size_t max_depth);

}  // namespace hetspike
