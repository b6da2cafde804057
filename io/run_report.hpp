#pragma once
// The end of a run, for people and for scripts: a JSON report of everything in run_summary, and the short
// summary printed on the console.
#include <filesystem>
#include <string>

#include "runtime/run_summary.hpp"

namespace hetspike {

/// Writes `summary` as pretty-printed JSON. Keys are the run_summary member names; `populations` and `per_rank`
/// are arrays of objects, and each rank's `timers` is an object of seconds (build, update, deliver, communicate,
/// output). The text goes to `<path>.partial` first and is renamed over `path`, so a reader never sees half a
/// report. A non-finite number (JSON has none) is written as null. Not collective:
/// call it on one rank. Throws input_error naming the path if it cannot be written.
void write_run_report(const run_summary& summary, const std::filesystem::path& path);

/// The console summary: one line per population (size, rate in Hz, mean ISI CV), then neurons, synapses,
/// build and simulation time, real-time factor, synaptic events per second, bytes per synapse, and the files
/// written. Lines end in '\n'.
std::string format_run_summary(const run_summary& summary);

}  // namespace hetspike
