# Kokkos: Debian's 3.4 (Serial) here, a user's 4.x (OpenMP, CUDA) on clusters via -DKokkos_ROOT=...
find_package(Kokkos 3.4 REQUIRED)
# Debian's Kokkos package records a non-existent include directory (/usr/lib/include); repair it only then,
# so that an upstream Kokkos stays untouched.
get_target_property(_hetspike_kokkos_inc Kokkos::kokkos INTERFACE_INCLUDE_DIRECTORIES)
set(_hetspike_kokkos_inc_ok TRUE)
foreach(_dir IN LISTS _hetspike_kokkos_inc)
  if(NOT _dir MATCHES "^\\$<" AND NOT EXISTS "${_dir}")
    set(_hetspike_kokkos_inc_ok FALSE)
  endif()
endforeach()
if(NOT _hetspike_kokkos_inc_ok)
  set_target_properties(Kokkos::kokkos PROPERTIES INTERFACE_INCLUDE_DIRECTORIES "${Kokkos_INCLUDE_DIRS}")
endif()
message(STATUS "hetspike: Kokkos ${Kokkos_VERSION}, devices: ${Kokkos_DEVICES}")

# With Kokkos' CUDA backend the C++ sources go through nvcc (nvcc_wrapper): forbid contracted FMA in device
# code as -ffp-contract=off does on the host, so that GPU and CPU updates round alike.
if("CUDA" IN_LIST Kokkos_DEVICES)
  target_compile_options(hetspike_flags INTERFACE $<$<COMPILE_LANGUAGE:CXX>:--fmad=false>)
endif()

# With Kokkos' CUDA backend every C++ source goes through nvcc_wrapper. A target whose sources never include
# Kokkos (io/: file formats, HDF5) has no device code: hetspike_host_only() hands it to the host compiler alone,
# since nvcc's front end rejects some of toml++'s generic lambdas ("'__T6' was not declared", toml++/impl/table.h).
function(hetspike_host_only target)
  if(CMAKE_CXX_COMPILER MATCHES "nvcc_wrapper$")
    target_compile_options(${target} PRIVATE --host-only)
  endif()
endfunction()
