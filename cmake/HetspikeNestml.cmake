# NESTML models compiled into hetspike: hetspike_add_nestml_models() runs apps/hetspike-nestml on NESTML files
# and registers the generated model types with every target that reads kernels/neuron_models.hpp, so a model file
# may name them (`model = "aeif_cond_exp_neuron"`).
#
#   hetspike_add_nestml_models(MODELS a.nestml b.nestml ... [LIBRARY aeif_cond_exp_neuron ...] [PYTHON exe]
#                              [OPTIONS [model:]key=value ...])
#
# MODELS: NESTML files; LIBRARY: models of NESTML's own library (the `models/neurons` folder the nestml package
# installs); PYTHON: an interpreter with apps/nestml/requirements.txt (default: HETSPIKE_NESTML_PYTHON, else
# Python3_EXECUTABLE); OPTIONS: apps/hetspike-nestml's --option values (solver, numeric_solver, condition_checks;
# docs/nestml.md). Generation runs when CMake configures, and again whenever a NESTML file or an option changes.
# Call it once, after add_subdirectory(kernels).
function(hetspike_add_nestml_models)
  cmake_parse_arguments(ARG "" "PYTHON" "MODELS;LIBRARY;OPTIONS" ${ARGN})
  set(python "${ARG_PYTHON}")
  if(NOT python)
    set(python "${HETSPIKE_NESTML_PYTHON}")
  endif()
  if(NOT python)
    find_package(Python3 REQUIRED COMPONENTS Interpreter)
    set(python "${Python3_EXECUTABLE}")
  endif()
  set(files ${ARG_MODELS})
  if(ARG_LIBRARY)
    execute_process(
      COMMAND "${python}" -c "import os, sys, pynestml; print(os.path.join(sys.prefix, 'models', 'neurons'))"
      OUTPUT_VARIABLE library_dir OUTPUT_STRIP_TRAILING_WHITESPACE RESULT_VARIABLE found)
    if(NOT found EQUAL 0)
      message(FATAL_ERROR "hetspike_add_nestml_models: ${python} has no pynestml; install "
                          "${PROJECT_SOURCE_DIR}/apps/nestml/requirements.txt into it (pip install -r)")
    endif()
    foreach(name IN LISTS ARG_LIBRARY)
      if(NOT EXISTS "${library_dir}/${name}.nestml")
        message(FATAL_ERROR "hetspike_add_nestml_models: NESTML's library has no ${name} (${library_dir})")
      endif()
      list(APPEND files "${library_dir}/${name}.nestml")
    endforeach()
  endif()
  if(NOT files)
    message(FATAL_ERROR "hetspike_add_nestml_models: no MODELS or LIBRARY given")
  endif()
  set(out "${PROJECT_BINARY_DIR}/nestml_models")
  file(GLOB generator_sources "${PROJECT_SOURCE_DIR}/apps/nestml/*.py")
  list(APPEND generator_sources "${PROJECT_SOURCE_DIR}/apps/hetspike-nestml")
  # Generation takes seconds per model: skip it when the same files generated already and none changed since.
  set(stamp "${out}/generated-from.txt")
  set(option_arguments)
  foreach(option IN LISTS ARG_OPTIONS)
    list(APPEND option_arguments --option "${option}")
  endforeach()
  string(JOIN "\n" wanted "${python}" ${files} ${option_arguments})
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
    execute_process(COMMAND "${python}" "${PROJECT_SOURCE_DIR}/apps/hetspike-nestml" ${files} -o "${out}"
                            ${option_arguments}
                    RESULT_VARIABLE generated OUTPUT_VARIABLE log ERROR_VARIABLE log)
    if(NOT generated EQUAL 0)
      message(FATAL_ERROR "hetspike_add_nestml_models: apps/hetspike-nestml failed:\n${log}")
    endif()
    message(STATUS "${log}")
    file(WRITE "${stamp}" "${wanted}")
  endif()
  set_property(DIRECTORY "${PROJECT_SOURCE_DIR}" APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${files} ${generator_sources})
  # Installed too: an installed hetspike::kernels keeps the define, so its users need the headers.
  target_include_directories(hetspike_kernels PUBLIC $<BUILD_INTERFACE:${out}>
                             $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}/hetspike/nestml_models>)
  target_compile_definitions(hetspike_kernels PUBLIC HETSPIKE_GENERATED_MODELS)
  install(DIRECTORY "${out}/" DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/hetspike/nestml_models
          FILES_MATCHING PATTERN "*.hpp")
endfunction()
