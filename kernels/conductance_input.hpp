#pragma once
// The input of one step into a conductance-based model with an excitatory and an inhibitory port (NEST's *_cond_*
// models): weights in nS, port 0 sums the positive ones, port 1 the others.
#include "kernels/model_description.hpp"

namespace hetspike {

/// Adds the step's conductance jumps: g_ex by the excitatory weights, g_in by the magnitude of the inhibitory ones.
HETSPIKE_MODEL_FUNCTION void add_conductance_jumps(double& g_ex, double& g_in, const fixed_type* input,
                                                   double input_scale) {
  g_ex += fixed_to_double(input[0]) * input_scale;
  g_in += -(fixed_to_double(input[1]) * input_scale);
}

}  // namespace hetspike
