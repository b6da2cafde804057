#pragma once
// SIGTERM and SIGUSR1 (what Slurm sends before a time limit, e.g. with --signal=B:USR1@120) ask a run to
// write a checkpoint at the next interval boundary and stop cleanly, so that a requeued job can resume it.
namespace hetspike {

/// While alive, SIGTERM and SIGUSR1 only set a flag (the handler does nothing else: it must be
/// async-signal-safe); the destructor restores the previous handlers unless
/// told to hold them. One at a time per process.
class stop_signal_handler {
 public:
  stop_signal_handler();
  ~stop_signal_handler();
  stop_signal_handler(const stop_signal_handler&) = delete;
  stop_signal_handler& operator=(const stop_signal_handler&) = delete;

  /// The signal received, or 0 if none.
  int received() const;

  /// The destructor then leaves the handlers in place: a signal that arrives after the run (while MPI
  /// finalises, static objects are destroyed and the process exits) only sets the flag instead of killing
  /// the process with the code the requeue job script does not act on.
  void hold_until_process_exit() { hold_ = true; }

 private:
  bool hold_ = false;
};

}  // namespace hetspike
