#include "io/message_text.hpp"

namespace hetspike {
namespace {

constexpr std::size_t shown_head = 100;
constexpr std::size_t shown_tail = 40;
static_assert(shown_head + shown_tail < max_shown_characters, "an excerpt must be shorter than what it replaces");

std::string length_note(std::string_view text) {
  return text.size() <= max_shown_characters ? std::string() : " (" + std::to_string(text.size()) + " characters)";
}

/// The characters shown of `text`: all, or its head and tail around "...".
std::string shown(std::string_view text) {
  if (text.size() <= max_shown_characters) return std::string(text);
  // Built by append: "..." + std::string(...) trips a false -Wrestrict in g++ 12 at -O3 (GCC bug 105329).
  std::string out(text.substr(0, shown_head));
  return out.append("...").append(text.substr(text.size() - shown_tail));
}

}  // namespace

std::string excerpt(std::string_view text) { return shown(text) + length_note(text); }

std::string in_quotes(std::string_view text, char quote) {
  std::string out(1, quote);
  return out.append(shown(text)).append(1, quote).append(length_note(text));
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (std::size_t i = 0; i < items.size(); ++i) out.append(i ? ", " : "").append(items[i]);
  return out;
}

std::string join(const std::vector<std::string_view>& items) {
  return join(std::vector<std::string>(items.begin(), items.end()));
}

std::string listing(const std::vector<std::string>& items) {
  if (items.size() <= max_listed_items) return join(items);
  return join(std::vector<std::string>(items.begin(), items.begin() + max_listed_items)) + ", ... (" +
         std::to_string(items.size()) + " in all)";
}

}  // namespace hetspike
