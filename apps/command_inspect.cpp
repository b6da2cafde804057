// `hetspike inspect FILE`: what a checkpoint holds and whether its checksums verify.
#include <cstdio>

#include "apps/commands.hpp"
#include "io/checkpoint_file.hpp"
#include "runtime/collective_errors.hpp"

namespace hetspike {

int inspect_command(const distributed_context& ctx, const inspect_options& options) {
  const bool intact = agree_on_input_errors(ctx, [&] {
    if (ctx.rank() != 0) return true;
    const auto inspection = inspect_checkpoint(options.file);
    std::printf("%s", inspection.text.c_str());
    return inspection.intact;
  });
  // A damaged checkpoint is an unusable one (exit code 2), as --resume would find: scripts can test for it.
  return ctx.broadcast(std::string(intact ? "1" : "0"), 0) == "1" ? exit_ok : exit_bad_input;
}

}  // namespace hetspike
