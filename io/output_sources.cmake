set(HETSPIKE_IO_OUTPUT_SOURCES
  ${CMAKE_CURRENT_LIST_DIR}/hdf5_handle.cpp
  ${CMAKE_CURRENT_LIST_DIR}/sonata_spike_writer.cpp
  ${CMAKE_CURRENT_LIST_DIR}/run_report.cpp)
