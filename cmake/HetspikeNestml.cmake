# NESTML models in hetspike: apps/hetspike-nestml generates a model type per NESTML neuron model (docs/nestml.md),
# which a build either compiles in or builds into a library that model files load.
#
#   hetspike_add_nestml_models(MODELS a.nestml ... [LIBRARY aeif_cond_exp_neuron ...] [PYTHON exe]
#                              [OPTIONS [model:]key=value ...])
#
# compiles the models into hetspike: registered with every target that reads kernels/neuron_models.hpp, so a model
# file may name them (`model = "aeif_cond_exp_neuron"`). Call it once, after add_subdirectory(kernels).
#
#   hetspike_add_nestml_library(NAME mymodels MODELS a.nestml ... [LIBRARY ...] [PYTHON exe] [OPTIONS ...])
#
# builds them into the shared library libmymodels.so (target `mymodels`) instead, which a model file loads with
# `libraries = ["path/to/libmymodels.so"]` (kernels/model_library.hpp). It must be built against the hetspike that
# loads it (same version, Kokkos and backend; the loader refuses any other): in hetspike's own build, or in a
# project of its own after find_package(hetspike).
#
# MODELS: NESTML files; LIBRARY: models of NESTML's own library (the `models/neurons` folder the nestml package
# installs); PYTHON: an interpreter with apps/nestml/requirements.txt (default: HETSPIKE_NESTML_PYTHON, else
# Python3_EXECUTABLE); OPTIONS: apps/hetspike-nestml's --option values (solver, numeric_solver, condition_checks;
# docs/nestml.md). Generation runs when CMake configures, and again whenever a NESTML file or an option changes.

# The generator: the source tree's, or (set by hetspikeConfig.cmake) the installed one.
if(NOT HETSPIKE_NESTML_GENERATOR)
  set(HETSPIKE_NESTML_GENERATOR "${CMAKE_CURRENT_LIST_DIR}/../apps/hetspike-nestml")
endif()

# The folder of NESTML's own models (`models/neurons` of the nestml package) into `var`.
function(hetspike_nestml_library_dir var python)
  execute_process(
    COMMAND "${python}" -c "import os, sys, pynestml; print(os.path.join(sys.prefix, 'models', 'neurons'))"
    OUTPUT_VARIABLE dir OUTPUT_STRIP_TRAILING_WHITESPACE RESULT_VARIABLE found)
  if(NOT found EQUAL 0)
    message(FATAL_ERROR "hetspike: ${python} has no pynestml; install apps/nestml/requirements.txt into it "
                        "(pip install -r)")
  endif()
  set(${var} "${dir}" PARENT_SCOPE)
endfunction()

# The interpreter the generator runs with: `python` if given, else HETSPIKE_NESTML_PYTHON, else Python3's.
function(hetspike_nestml_python var python)
  if(NOT python)
    set(python "${HETSPIKE_NESTML_PYTHON}")
  endif()
  if(NOT python)
    find_package(Python3 REQUIRED COMPONENTS Interpreter)
    set(python "${Python3_EXECUTABLE}")
  endif()
  set(${var} "${python}" PARENT_SCOPE)
endfunction()

# Runs the generator on the models of the calling function's ARG_MODELS and ARG_LIBRARY into `out`, with
# ARG_OPTIONS and `extra` arguments, unless the same inputs generated there already and none changed since.
function(_hetspike_nestml_generate caller out extra)
  hetspike_nestml_python(python "${ARG_PYTHON}")
  set(files ${ARG_MODELS})
  if(ARG_LIBRARY)
    hetspike_nestml_library_dir(library_dir "${python}")
    foreach(name IN LISTS ARG_LIBRARY)
      if(NOT EXISTS "${library_dir}/${name}.nestml")
        message(FATAL_ERROR "${caller}: NESTML's library has no ${name} (${library_dir})")
      endif()
      list(APPEND files "${library_dir}/${name}.nestml")
    endforeach()
  endif()
  if(NOT files)
    message(FATAL_ERROR "${caller}: no MODELS or LIBRARY given")
  endif()
  get_filename_component(generator_dir "${HETSPIKE_NESTML_GENERATOR}" DIRECTORY)
  file(GLOB generator_sources "${generator_dir}/nestml/*.py")
  list(APPEND generator_sources "${HETSPIKE_NESTML_GENERATOR}")
  # Generation takes seconds per model: skip it when the same files generated already and none changed since.
  set(stamp "${out}/generated-from.txt")
  set(arguments ${extra})
  foreach(option IN LISTS ARG_OPTIONS)
    list(APPEND arguments --option "${option}")
  endforeach()
  string(JOIN "\n" wanted "${python}" ${files} ${arguments})
  set(fresh FALSE)
  if(EXISTS "${stamp}")
    file(READ "${stamp}" had)
    if(had STREQUAL wanted)
      set(fresh TRUE)
      foreach(input IN LISTS files generator_sources)
        if("${input}" IS_NEWER_THAN "${stamp}")
          set(fresh FALSE)
        endif()
      endforeach()
    endif()
  endif()
  if(NOT fresh)
    message(STATUS "hetspike: generating NESTML models into ${out}")
    file(REMOVE "${stamp}")
    execute_process(COMMAND "${python}" "${HETSPIKE_NESTML_GENERATOR}" ${files} -o "${out}" ${arguments}
                    RESULT_VARIABLE generated OUTPUT_VARIABLE log ERROR_VARIABLE log)
    if(NOT generated EQUAL 0)
      message(FATAL_ERROR "${caller}: apps/hetspike-nestml failed:\n${log}")
    endif()
    message(STATUS "${log}")
    file(WRITE "${stamp}" "${wanted}")
  endif()
  set_property(DIRECTORY "${CMAKE_SOURCE_DIR}" APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${files} ${generator_sources})
endfunction()

function(hetspike_add_nestml_models)
  cmake_parse_arguments(ARG "" "PYTHON" "MODELS;LIBRARY;OPTIONS" ${ARGN})
  set(out "${PROJECT_BINARY_DIR}/nestml_models")
  _hetspike_nestml_generate(hetspike_add_nestml_models "${out}" "")
  # Installed too: an installed hetspike::kernels keeps the define, so its users need the headers.
  target_include_directories(hetspike_kernels PUBLIC $<BUILD_INTERFACE:${out}>
                             $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}/hetspike/nestml_models>)
  target_compile_definitions(hetspike_kernels PUBLIC HETSPIKE_GENERATED_MODELS)
  install(DIRECTORY "${out}/" DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/hetspike/nestml_models
          FILES_MATCHING PATTERN "*.hpp")
endfunction()

function(hetspike_add_nestml_library)
  cmake_parse_arguments(ARG "" "NAME;PYTHON" "MODELS;LIBRARY;OPTIONS" ${ARGN})
  if(NOT ARG_NAME MATCHES "^[A-Za-z_][A-Za-z0-9_]*$")
    message(FATAL_ERROR "hetspike_add_nestml_library: NAME '${ARG_NAME}'; allowed: [A-Za-z_][A-Za-z0-9_]*")
  endif()
  set(out "${CMAKE_CURRENT_BINARY_DIR}/${ARG_NAME}_nestml")
  _hetspike_nestml_generate(hetspike_add_nestml_library "${out}" "--library;${ARG_NAME}")
  add_library(${ARG_NAME} MODULE "${out}/${ARG_NAME}.cpp")
  # Its own headers before any compiled-in ones of the same name.
  target_include_directories(${ARG_NAME} BEFORE PRIVATE "${out}")
  if(TARGET hetspike_kernels)
    target_link_libraries(${ARG_NAME} PRIVATE hetspike_kernels)
  else()
    target_link_libraries(${ARG_NAME} PRIVATE hetspike::kernels)
  endif()
  # Every symbol resolved at link time: a missing one is a build error, not a failure when a model file loads it.
  target_link_options(${ARG_NAME} PRIVATE LINKER:--no-undefined)
  set_target_properties(${ARG_NAME} PROPERTIES PREFIX "lib" CXX_VISIBILITY_PRESET hidden)
endfunction()
