#pragma once
// Bad input must stop every rank the same way (DESIGN.md, "Conventions"): when one rank finds an error that
// others may not see (a file only it can read, a limit only its slice exceeds), all ranks agree on it before
// the next collective and throw the same input_error, so none is left waiting and the job prints one message.
#include <algorithm>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>

#include "partition/error.hpp"
#include "runtime/distributed_context.hpp"

namespace hetspike {

/// Collective: the problem of the lowest rank that has one ("" where no rank has), the same on every rank.
inline std::string agree_on_failure(const distributed_context& ctx, const std::string& problem) {
  const auto first = ctx.min(static_cast<std::int64_t>(problem.empty() ? ctx.size() : ctx.rank()));
  if (first == ctx.size()) return {};
  return ctx.broadcast(problem, static_cast<int>(first));
}

/// Collective: every rank's `text` (lines) must equal rank 0's. Otherwise every rank throws input_error naming the
/// lowest rank whose text differs and the first line that does; `what` says what the text describes ("the model
/// and options"). Ranks started with different inputs would otherwise hang, crash or compute nonsense.
inline void require_same_on_every_rank(const distributed_context& ctx, const std::string& text,
                                       const std::string& what) {
  const std::string reference = ctx.broadcast(text, 0);
  std::string problem;
  if (text != reference) {
    auto line_at = [](const std::string& s, std::size_t& at) {
      const std::size_t end = std::min(s.find('\n', at), s.size());
      std::string line = s.substr(at, end - at);
      at = end + 1;
      return line;
    };
    std::size_t a = 0, b = 0;
    std::string mine, theirs;
    while (a <= text.size() || b <= reference.size()) {
      mine = a <= text.size() ? line_at(text, a) : "(nothing)";
      theirs = b <= reference.size() ? line_at(reference, b) : "(nothing)";
      if (mine != theirs) break;
    }
    problem = "rank " + std::to_string(ctx.rank()) + " was started with other " + what + " than rank 0: first " +
              "difference: '" + theirs + "' on rank 0, '" + mine + "' on rank " + std::to_string(ctx.rank()) +
              "; allowed: the same on every rank";
  }
  problem = agree_on_failure(ctx, problem);
  if (!problem.empty()) throw input_error(problem);
}

/// Runs f() on every rank (collective) and agrees on the outcome: returns the input_error message of the lowest
/// rank where f threw one ("" if none, the same on every rank) and, where f returned, its result.
template <class F>
auto run_and_agree(const distributed_context& ctx, F&& f) {
  using result_type = std::invoke_result_t<F>;
  using value_type = std::conditional_t<std::is_void_v<result_type>, bool, std::optional<result_type>>;
  std::pair<std::string, value_type> out{};
  try {
    if constexpr (std::is_void_v<result_type>)
      f();
    else
      out.second.emplace(f());
  } catch (const input_error& e) {
    out.first = e.what();
  }
  out.first = agree_on_failure(ctx, out.first);
  return out;
}

/// Runs f() on every rank (collective). If f throws input_error on any rank, every rank throws input_error
/// with the message of the lowest failing rank.
template <class F>
auto agree_on_input_errors(const distributed_context& ctx, F&& f) -> std::invoke_result_t<F> {
  auto [problem, result] = run_and_agree(ctx, std::forward<F>(f));
  if (!problem.empty()) throw input_error(problem);
  if constexpr (!std::is_void_v<std::invoke_result_t<F>>) return std::move(*result);
}

}  // namespace hetspike
