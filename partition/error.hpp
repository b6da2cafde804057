#pragma once
// The two roots of every hetspike error (as Arbor's arbexcept.hpp): bad input the user can fix, and our bugs.
#include <stdexcept>
#include <string>

namespace hetspike {

/// Bad input: a model file, a command-line value, a checkpoint. The message names the file, the key and what
/// is allowed, on one line; the command exits with code 2.
struct input_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// A limit of the data layout that a network exceeds (targets per rank, delay range, synapses per rank).
/// Input the user can change (rank count, dt, model), so it is an input_error.
struct capacity_error : input_error {
  using input_error::input_error;
};

/// A checkpoint that is intact but cannot continue this run (another dt, seed, delays, weight recorders): an
/// older checkpoint of the same run would not do either, so resuming stops rather than falls back.
struct checkpoint_mismatch : input_error {
  using input_error::input_error;
};

/// A broken invariant inside hetspike: a bug, never the user's fault.
struct internal_error : std::logic_error {
  using std::logic_error::logic_error;
};

}  // namespace hetspike
