// `hetspike inspect FILE`: what a checkpoint holds and whether its checksums verify.
#include <cstdio>

#include "apps/commands.hpp"
#include "io/checkpoint_file.hpp"
#include "runtime/collective_errors.hpp"

namespace hetspike {

int inspect_command(const distributed_context& ctx, const inspect_options& options) {
  agree_on_input_errors(ctx, [&] {
    if (ctx.rank() == 0) std::printf("%s", inspect_checkpoint(options.file).c_str());
  });
  return exit_ok;
}

}  // namespace hetspike
