#include "runtime/stop_signals.hpp"

#include <csignal>

#include "partition/error.hpp"

namespace hetspike {

namespace {

// A signal handler can only reach a flag with static storage: the one piece of process-wide state here,
// owned by the single stop_signal_handler alive at a time.
volatile std::sig_atomic_t received_signal = 0;
bool installed = false;
struct sigaction previous_term, previous_usr1;

extern "C" void record_signal(int signal) { received_signal = signal; }

}  // namespace

stop_signal_handler::stop_signal_handler() {
  if (installed) throw internal_error("stop_signal_handler: only one may exist at a time");
  received_signal = 0;
  struct sigaction action {};
  action.sa_handler = record_signal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;  // MPI and file calls in progress continue; the loop checks the flag
  sigaction(SIGTERM, &action, &previous_term);
  sigaction(SIGUSR1, &action, &previous_usr1);
  installed = true;
}

stop_signal_handler::~stop_signal_handler() {
  if (hold_) return;  // the flag has static storage: the handler stays valid until the process ends
  sigaction(SIGTERM, &previous_term, nullptr);
  sigaction(SIGUSR1, &previous_usr1, nullptr);
  installed = false;
}

int stop_signal_handler::received() const { return received_signal; }

}  // namespace hetspike
