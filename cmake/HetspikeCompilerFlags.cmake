# Flags every hetspike target shares, through one INTERFACE target.
# -ffp-contract=off: a contracted FMA changes the last bit of a membrane update on one compiler and not on
# another, which would break bitwise reproducibility between backends (DESIGN.md, "The simulation loop").
add_library(hetspike_flags INTERFACE)
add_library(hetspike::flags ALIAS hetspike_flags)
target_compile_options(hetspike_flags INTERFACE
  $<$<COMPILE_LANG_AND_ID:CXX,GNU,Clang>:-Wall -Wextra -ffp-contract=off>
  $<$<COMPILE_LANGUAGE:CUDA>:--fmad=false>
  $<$<AND:$<BOOL:${HETSPIKE_WERROR}>,$<COMPILE_LANG_AND_ID:CXX,GNU,Clang>>:-Werror>)
install(TARGETS hetspike_flags EXPORT hetspike-targets)
