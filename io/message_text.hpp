#pragma once
// What an error message shows of the input it is about. A file or an option can hold a value of any length (an
// expression of 200,000 characters, 100,000 parameter names): a message stays one readable line, and still says
// where the value starts and ends and how long it is.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace hetspike {

/// The most characters excerpt() shows whole.
inline constexpr std::size_t max_shown_characters = 160;
/// The most items listing() names.
inline constexpr std::size_t max_listed_items = 20;

/// `text` itself when it is at most max_shown_characters long; otherwise its first 100 and last 40 characters
/// around "...", followed by " (N characters)".
std::string excerpt(std::string_view text);

/// `text` between `quote` characters, as excerpt() shows it: "floor(x" or "((((...))))" (200002 characters).
std::string in_quotes(std::string_view text, char quote = '"');

/// "a, b, c": every item.
std::string join(const std::vector<std::string>& items);
std::string join(const std::vector<std::string_view>& items);

/// "a, b, c"; of a longer list than max_listed_items, the first ones and ", ... (N in all)".
std::string listing(const std::vector<std::string>& items);

}  // namespace hetspike
