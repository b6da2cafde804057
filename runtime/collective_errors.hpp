#pragma once
// Bad input must stop every rank the same way (DESIGN.md, "Conventions"): when one rank finds an error that
// others may not see (a file only it can read, a limit only its slice exceeds), all ranks agree on it before
// the next collective and throw the same input_error, so none is left waiting and the job prints one message.
#include <optional>
#include <string>
#include <type_traits>
#include <utility>

#include "partition/error.hpp"
#include "runtime/distributed_context.hpp"

namespace hetspike {

/// Runs f() on every rank (collective). If f throws input_error on any rank, every rank throws input_error
/// with the message of the lowest failing rank.
template <class F>
auto agree_on_input_errors(const distributed_context& ctx, F&& f) -> std::invoke_result_t<F> {
  using result_type = std::invoke_result_t<F>;
  std::string message;
  bool failed = false;
  std::conditional_t<std::is_void_v<result_type>, bool, std::optional<result_type>> result{};
  try {
    if constexpr (std::is_void_v<result_type>)
      f();
    else
      result.emplace(f());
  } catch (const input_error& e) {
    failed = true;
    message = e.what();
  }
  const auto first_failed = ctx.min(static_cast<std::int64_t>(failed ? ctx.rank() : ctx.size()));
  if (first_failed < ctx.size()) throw input_error(ctx.broadcast(message, static_cast<int>(first_failed)));
  if constexpr (!std::is_void_v<result_type>) return std::move(*result);
}

}  // namespace hetspike
