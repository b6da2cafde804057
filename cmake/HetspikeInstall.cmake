# `cmake --install` puts the binary, model files, job scripts, headers and the libraries under the prefix and
# exports the CMake package hetspike (find_package(hetspike) gives hetspike::io, ::runtime, ::partition,
# ::kernels) for users who embed the library.
include(CMakePackageConfigHelpers)

install(TARGETS hetspike_kernels hetspike_partition hetspike_runtime hetspike_io
  EXPORT hetspike-targets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
foreach(layer kernels partition runtime io)
  install(DIRECTORY ${PROJECT_SOURCE_DIR}/${layer}/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/hetspike/${layer}
          FILES_MATCHING PATTERN "*.hpp")
endforeach()
install(DIRECTORY ${PROJECT_SOURCE_DIR}/cmake/ DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/hetspike
        FILES_MATCHING PATTERN "FindRandom123.cmake" PATTERN "HetspikeNestml.cmake")
# The NESTML generator, for hetspike_add_nestml_library in projects of their own (hetspikeConfig.cmake).
install(PROGRAMS ${PROJECT_SOURCE_DIR}/apps/hetspike-nestml DESTINATION ${CMAKE_INSTALL_DATADIR}/hetspike/apps)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/apps/nestml/ DESTINATION ${CMAKE_INSTALL_DATADIR}/hetspike/apps/nestml
        FILES_MATCHING PATTERN "*.py" PATTERN "requirements.txt" PATTERN "__pycache__" EXCLUDE)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/jobscripts/ DESTINATION ${CMAKE_INSTALL_DATADIR}/hetspike/jobscripts
        USE_SOURCE_PERMISSIONS)

install(EXPORT hetspike-targets NAMESPACE hetspike:: DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/hetspike)
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/hetspikeConfig.cmake.in
  ${PROJECT_BINARY_DIR}/hetspikeConfig.cmake INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/hetspike)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/hetspikeConfigVersion.cmake COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/hetspikeConfig.cmake ${PROJECT_BINARY_DIR}/hetspikeConfigVersion.cmake
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/hetspike)
