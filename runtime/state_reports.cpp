#include "runtime/state_reports.hpp"

#include <algorithm>
#include <cmath>

#include "kernels/neuron_models.hpp"
#include "partition/error.hpp"

namespace hetspike {

std::vector<state_report> state_reports(const run_spec& spec) {
  const auto& net = spec.network;
  const step_type presim = std::llround(spec.t_presim / net.dt);
  std::vector<state_report> out;
  for (const auto& r : spec.state_recorders) {
    const auto& pop = net.populations[r.population];
    const auto recordable = recordable_variables(pop.params);
    const step_type every = std::max<step_type>(1, std::llround(r.interval / net.dt));
    for (const auto& name : r.variables) {
      auto v = std::find_if(recordable.begin(), recordable.end(), [&](const auto& x) { return x.name == name; });
      if (v == recordable.end())
        throw internal_error("state recorder of " + pop.name + ": " + name + " is not a variable of its model");
      out.push_back({pop.name, r.population, name, std::string(v->unit), r.first.value_or(pop.size), presim + every,
                     every, r.precision});
    }
  }
  return out;
}

}  // namespace hetspike
