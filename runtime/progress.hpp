#pragma once
// The progress line of a long run, printed by rank 0: simulated time, real-time factor and ETA. On a
// terminal it rewrites one line; otherwise (a Slurm log) it prints a new line at most every few seconds.
#include <chrono>
#include <cstdio>

namespace hetspike {

class progress_line {
 public:
  /// `total_ms`: simulated time of the whole run; `enabled`: false on ranks other than 0.
  progress_line(double total_ms, bool enabled, std::FILE* out = stderr);

  /// Reports that `done_ms` of simulated time are complete; prints if it is time to.
  void update(double done_ms);
  /// Prints the final state and ends the line.
  void finish(double done_ms);

 private:
  void print(double done_ms, bool final);

  double total_ms_;
  bool enabled_;
  std::FILE* out_;
  bool terminal_;
  std::chrono::steady_clock::time_point start_, last_print_;
  bool printed_ = false;
};

}  // namespace hetspike
