// Every registered model's step (hand-written and generated from NESTML) compiled for a CUDA device, each in a
// kernel of its own: a host-only call or a namespace-scope array in a step fails here, on a machine with nvcc and
// no GPU, before anyone spends GPU time on it. Compiled by ctest (tests/cuda_compile/CMakeLists.txt), not run.
#include "kernels/neuron_models.hpp"

namespace hetspike {

template <class Model>
__global__ void step_kernel(typename Model::constants k, typename Model::state* s, const fixed_type* input,
                            bool* spiked) {
  const unsigned i = blockIdx.x * blockDim.x + threadIdx.x;
  spiked[i] = Model::step(k, s[i], input + i * Model::receptors.size());
}

template <class... Models>
void instantiate(model_list<Models...>) {
  (..., static_cast<void>(&step_kernel<Models>));
}

void instantiate_every_model() { instantiate(registered_models{}); }

}  // namespace hetspike
