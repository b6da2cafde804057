# hetspike's version, for the project and for the kernels alone: model libraries record it (kernels/build_signature.hpp).
set(HETSPIKE_VERSION 0.1.0)
