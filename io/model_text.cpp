#include "io/model_text.hpp"

#include <vector>

namespace hetspike {
namespace {

bool is_bare_key_char(char c) {
  // Bare keys, and the characters of numbers, dates and booleans: a value's "1.5" counts as a chain of two, which
  // is never checked, since only the chain before '=' or in a header is a key.
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-' ||
         c == '+' || c == ':';
}

/// A pass over the text that keeps the depth of what the parser will build at each point.
class nesting_scanner {
 public:
  nesting_scanner(std::string_view text, std::size_t max_depth) : text_(text), max_(max_depth) {}

  std::optional<nesting_position> run() {
    while (pos_ < text_.size() && !beyond_) step();
    return beyond_;
  }

 private:
  /// An open '[' (array value) or '{' (inline table): the depth of what it holds.
  struct open_bracket {
    std::size_t depth;
    bool array;
  };

  void step() {
    const char c = text_[pos_];
    if (c == '\n') {
      ++pos_, ++line_, line_start_ = pos_;
      chain_ = 0, dot_ = false, blank_line_ = true;
      return;
    }
    if (c == ' ' || c == '\t' || c == '\r') {
      ++pos_;
      return;
    }
    const bool first_on_line = blank_line_;
    blank_line_ = false;
    if (c == '#') {
      while (pos_ < text_.size() && text_[pos_] != '\n') ++pos_;
      return;
    }
    if (c == '"' || c == '\'') {
      skip_string(c);
      segment();
      return;
    }
    if (is_bare_key_char(c)) {
      while (pos_ < text_.size() && is_bare_key_char(text_[pos_])) ++pos_;
      segment();
      return;
    }
    const std::size_t at = pos_++;
    if (c == '.') {
      dot_ = chain_ > 0;
    } else if (c == '=') {
      value_depth_ = context_depth() + chain_;
      check(value_depth_, at);
      chain_ = 0, dot_ = false;
    } else if (c == '[' && open_.empty() && first_on_line) {
      header(at);
    } else if (c == '[' || c == '{') {
      const std::size_t depth = value_position_depth() + (c == '[' ? 1 : 0);
      open_.push_back({depth, c == '['});
      check(depth, at);
      chain_ = 0, dot_ = false;
    } else if (c == ']' || c == '}') {
      if (!open_.empty()) open_.pop_back();
      chain_ = 0, dot_ = false;
    } else if (c == ',') {
      chain_ = 0, dot_ = false;
    }
  }

  /// A key part or a value's token: extends the chain after a '.', else starts one.
  void segment() {
    chain_ = dot_ ? chain_ + 1 : 1;
    dot_ = false;
  }

  /// [a.b.c] or [[a.b.c]]: the keys that follow are as deep as the chain, an array of tables one more.
  void header(std::size_t at) {
    const bool array = pos_ < text_.size() && text_[pos_] == '[';
    if (array) ++pos_;
    chain_ = 0, dot_ = false;
    while (pos_ < text_.size() && text_[pos_] != ']' && text_[pos_] != '\n' && !beyond_) step();
    header_depth_ = chain_ + (array ? 1 : 0);
    check(header_depth_, at);
    while (pos_ < text_.size() && text_[pos_] == ']') ++pos_;
    chain_ = 0, dot_ = false;
  }

  void skip_string(char quote) {
    const bool multi_line = text_.substr(pos_, 3) == std::string_view(quote == '"' ? "\"\"\"" : "'''");
    pos_ += multi_line ? 3 : 1;
    while (pos_ < text_.size()) {
      const char c = text_[pos_];
      if (c == '\\' && quote == '"') {
        pos_ += 2;
        continue;
      }
      if (c == '\n') {
        if (!multi_line) return;  // unterminated: the parser reports it
        ++line_, line_start_ = pos_ + 1;
      }
      if (c == quote && (!multi_line || text_.substr(pos_, 3) == std::string_view(quote == '"' ? "\"\"\"" : "'''"))) {
        pos_ += multi_line ? 3 : 1;
        return;
      }
      ++pos_;
    }
  }

  /// The depth a key's chain starts from: the innermost inline table's, else the last header's.
  std::size_t context_depth() const { return open_.empty() ? header_depth_ : open_.back().depth; }
  /// The depth of a value at this point: an array's elements', else the value of the key before '='.
  std::size_t value_position_depth() const {
    return !open_.empty() && open_.back().array ? open_.back().depth : value_depth_;
  }

  void check(std::size_t depth, std::size_t at) {
    if (depth > max_ && !beyond_) beyond_ = nesting_position{line_, at - line_start_ + 1, depth};
  }

  std::string_view text_;
  std::size_t max_;
  std::size_t pos_ = 0, line_ = 1, line_start_ = 0;
  std::size_t chain_ = 0;   ///< parts of the dotted key (or value token) being read
  bool dot_ = false;        ///< a '.' follows the last part
  bool blank_line_ = true;  ///< nothing but space so far on this line
  std::size_t header_depth_ = 0, value_depth_ = 0;
  std::vector<open_bracket> open_;
  std::optional<nesting_position> beyond_;
};

}  // namespace

std::optional<nesting_position> nesting_beyond(std::string_view text, std::size_t max_depth) {
  return nesting_scanner(text, max_depth).run();
}

}  // namespace hetspike
