#pragma once
// Samples the state recorders' variables (state_reports.hpp) of this rank's recorded neurons after the steps they
// fall on, and hands them to a state_sink in blocks. A sample is a kernel that copies the recorded neurons' part of
// one variable's row into a staging view in the populations' memory space; a block is one copy of the staged rows
// to the host. On a device backend the loop thus never waits for a sample, and only recorded neurons cross to the
// host. The recorder reads a model only through its description (recordable_variables): V_m of a model that keeps
// V_rel is V_rel plus the resting potential, added on the host as NEST's iaf models compute V_m.
#include <Kokkos_Core.hpp>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <string>
#include <tuple>
#include <utility>
#include <variant>
#include <vector>

#include "kernels/neuron_population.hpp"
#include "partition/block_partition.hpp"
#include "partition/error.hpp"
#include "partition/local_network.hpp"
#include "runtime/state_reports.hpp"
#include "runtime/state_sink.hpp"

namespace hetspike {

namespace detail {

/// One sample of one variable: dst(i) = src(i) as a double, for the recorded neurons 0 .. n - 1. A functor, not a
/// lambda: it is instantiated inside std::visit's generic lambda, where CUDA takes no extended lambda.
template <class Dst, class Src>
struct state_sample_copy {
  Dst dst;
  Src src;
  KOKKOS_INLINE_FUNCTION void operator()(std::size_t i) const { dst(i) = static_cast<double>(src(i)); }
};

/// Host memory a report may stage per rank before it is written, as rows of all its neurons (the same on every
/// rank, so that every rank writes at the same points); at least one interval's samples are always held.
inline constexpr std::uint64_t state_staging_bytes = std::uint64_t{4} << 20;

}  // namespace detail

template <class ExecSpace>
class state_recorder {
 public:
  using memory_space = typename ExecSpace::memory_space;
  using staging_view = Kokkos::View<double**, Kokkos::LayoutRight, memory_space>;

  /// `reports` on this rank's neurons (`partition`, `layout`, `populations`), written to `sink`, for a run from step
  /// boundary `start` (0, or a restored checkpoint's: the samples up to it were taken by the run that wrote it) in
  /// intervals of at most `interval_steps` steps.
  state_recorder(std::vector<state_report> reports, const block_partition& partition, const local_layout& layout,
                 const std::vector<neuron_population<ExecSpace>>& populations, step_type start,
                 step_type interval_steps, state_sink& sink)
      : sink_(sink) {
    for (auto& report : reports) {
      recorded r;
      const auto& lp = layout.populations[report.population_index];
      r.first_node = lp.count > 0 ? lp.first_gid - partition.population_offset(report.population_index) : 0;
      r.count = std::min<std::uint64_t>(lp.count, report.nodes > r.first_node ? report.nodes - r.first_node : 0);
      std::tie(r.state_index, r.offset) = variable_of(populations[report.population_index], report.variable);
      // Enough rows for one interval's samples; more, up to the staging budget, so that blocks are large.
      r.per_interval = static_cast<std::uint64_t>((interval_steps + report.every - 1) / report.every);
      const std::uint64_t budget =
          detail::state_staging_bytes / (sizeof(double) * std::max<std::uint64_t>(1, report.nodes));
      r.capacity = std::max(r.per_interval, budget);
      r.staged = staging_view("hetspike::state_staging", r.capacity, r.count);
      r.host = Kokkos::create_mirror_view(r.staged);
      r.next = report.sample_boundary(report.samples_until(start));
      r.report = std::move(report);
      recorded_.push_back(std::move(r));
    }
    schedule();
  }

  /// After the update of the step that ends at boundary `end`: samples every report due then (kernels only).
  void after_step(const ExecSpace& space, const std::vector<neuron_population<ExecSpace>>& populations, step_type end) {
    if (end < next_due_) return;
    for (auto& r : recorded_) {
      if (r.next != end) continue;
      if (r.rows == r.capacity) throw internal_error("state recorder: staging of " + r.report.variable + " is full");
      sample(space, populations[r.report.population_index], r);
      ++r.rows;
      r.next += r.report.every;
    }
    schedule();
  }

  /// Collective: writes the samples held so far to the sink (nothing when none are held, on any rank alike).
  void flush() {
    if (std::none_of(recorded_.begin(), recorded_.end(), [](const recorded& r) { return r.rows > 0; })) return;
    std::vector<state_block> blocks;
    for (auto& r : recorded_) {
      if (r.rows > 0 && r.count > 0) {
        const auto rows = Kokkos::make_pair(std::size_t{0}, static_cast<std::size_t>(r.rows));
        Kokkos::deep_copy(Kokkos::subview(r.host, rows, Kokkos::ALL), Kokkos::subview(r.staged, rows, Kokkos::ALL));
        if (r.offset != 0)
          for (std::size_t i = 0; i < r.rows * r.count; ++i) r.host.data()[i] += r.offset;
      }
      blocks.push_back({r.rows, r.first_node, r.count, r.host.data()});
    }
    sink_.write(blocks);
    for (auto& r : recorded_) r.rows = 0;
  }

  /// Collective: flushes unless every report can hold one more interval's samples. Called after each interval.
  void make_room() {
    if (std::any_of(recorded_.begin(), recorded_.end(),
                    [](const recorded& r) { return r.rows + r.per_interval > r.capacity; }))
      flush();
  }

  /// Collective: everything written so far is durable (before a checkpoint names this step).
  void sync() { sink_.sync(); }

  /// Collective: writes what is left and closes the sink.
  void close() {
    flush();
    sink_.close();
  }

 private:
  struct recorded {
    state_report report;
    std::size_t state_index = 0;                   ///< the model's state variable read
    double offset = 0;                             ///< added to it on the host (V_m: the resting potential)
    std::uint64_t first_node = 0, count = 0;       ///< this rank's recorded neurons, population-local ids
    std::uint64_t per_interval = 1, capacity = 1;  ///< rows: the most one interval samples, and staged at most
    staging_view staged;                           ///< capacity x count
    typename staging_view::HostMirror host;        ///< the same view on host backends
    std::uint64_t rows = 0;                        ///< staged so far
    step_type next = 0;                            ///< the boundary of the next sample
  };

  /// The state variable `name` reads and the offset it adds, from the population's model description.
  static std::pair<std::size_t, double> variable_of(const neuron_population<ExecSpace>& population,
                                                    const std::string& name) {
    for (const auto& v : recordable_variables(population.params()))
      if (v.name == name) return std::pair(v.state_index, v.offset);
    throw internal_error("state recorder: " + name + " is not a variable of " +
                         std::string(model_name(population.params())));
  }

  void sample(const ExecSpace& space, const neuron_population<ExecSpace>& population, recorded& r) const {
    if (r.count == 0) return;
    const auto dst = Kokkos::subview(r.staged, static_cast<std::size_t>(r.rows), Kokkos::ALL);
    std::visit(
        [&](const auto& m) {
          std::size_t j = 0;
          m.for_each_variable([&](const auto&, const auto& src) {
            if (j++ != r.state_index) return;
            Kokkos::parallel_for("hetspike::state_sample", Kokkos::RangePolicy<ExecSpace>(space, 0, r.count),
                                 detail::state_sample_copy<decltype(dst), std::decay_t<decltype(src)>>{dst, src});
          });
        },
        population.model());
  }

  void schedule() {
    next_due_ = std::numeric_limits<step_type>::max();
    for (const auto& r : recorded_) next_due_ = std::min(next_due_, r.next);
  }

  std::vector<recorded> recorded_;
  step_type next_due_ = 0;
  state_sink& sink_;
};

}  // namespace hetspike
