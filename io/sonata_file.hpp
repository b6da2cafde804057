#pragma once
// Private to io/: what every SONATA file hetspike writes shares (spikes.h5 and the state reports): the root
// attributes SONATA asks for, the run id that ties a file to the checkpoints of one run, and how a step boundary
// becomes a time in ms.
#include <string>

#include "io/hdf5_handle.hpp"
#include "kernels/types.hpp"

namespace hetspike {

/// Writes the root attributes `magic` and `version` (SONATA developer guide, "Common conventions: HDF5") and the
/// `run_id` string of the run (the same across all its restarts).
void write_sonata_root(const hdf5_checker& check, hid_t file, const std::string& run_id);

/// Why `file` (open) does not belong to run `run_id`, or "" when it does.
std::string run_id_problem(const hdf5_checker& check, hid_t file, const std::string& run_id);

/// Times of step boundaries in ms. When dt is 1/k ms, boundary b is b / k rather than b * dt: the double nearest
/// the decimal time (0.3, not 3 * 0.1 = 0.30000000000000004), as NEST's integer tics give.
class sonata_clock {
 public:
  /// internal_error unless `dt_ms` is positive and finite.
  explicit sonata_clock(double dt_ms);
  /// Boundary `b`: the end of step b - 1.
  double at(step_type boundary) const;
  /// The boundary whose time is `t` ms (nearest; at() of it is `t` only if `t` is a boundary's time).
  step_type boundary_near(double t) const;

 private:
  double dt_;
  double steps_per_ms_;  ///< 1 / dt when that is whole, else 0
};

}  // namespace hetspike
