#include "runtime/progress.hpp"

#include <unistd.h>

namespace hetspike {

progress_line::progress_line(double total_ms, bool enabled, std::FILE* out)
    : total_ms_(total_ms),
      enabled_(enabled),
      out_(out),
      terminal_(enabled && isatty(fileno(out))),
      start_(std::chrono::steady_clock::now()),
      last_print_(start_) {}

void progress_line::update(double done_ms) {
  if (!enabled_) return;
  const auto now = std::chrono::steady_clock::now();
  const double since_last = std::chrono::duration<double>(now - last_print_).count();
  // A terminal gets a live line; a log gets a line every 10 s of wall time, so long jobs show they are alive.
  if (since_last < (terminal_ ? 0.5 : 10.0)) return;
  print(done_ms, false);
  last_print_ = now;
}

void progress_line::finish(double done_ms) {
  if (!enabled_ || !printed_) return;  // short runs print no progress at all
  print(done_ms, true);
}

void progress_line::print(double done_ms, bool final) {
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  const double rtf = done_ms > 0 ? elapsed / (done_ms * 1e-3) : 0;
  const double eta = done_ms > 0 ? elapsed * (total_ms_ - done_ms) / done_ms : 0;
  const double percent = total_ms_ > 0 ? 100.0 * done_ms / total_ms_ : 100.0;
  std::fprintf(out_, "%s[hetspike] %.1f / %.1f ms (%.0f%%), real-time factor %.2f, ETA %.0f s%s", terminal_ ? "\r" : "",
               done_ms, total_ms_, percent, rtf, eta, terminal_ && !final ? "" : "\n");
  std::fflush(out_);
  printed_ = true;
}

}  // namespace hetspike
