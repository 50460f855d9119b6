# Install rules: headers, the C++ library, the Rust core archive and a CMake package, so that
#   find_package(parquet_flow CONFIG REQUIRED)
#   target_link_libraries(app PRIVATE parquet_flow::parquet_flow)   # or parquet_flow::c
# works from the install prefix without cargo or any Rust toolchain.
include(CMakePackageConfigHelpers)

set(PARQUET_FLOW_INSTALL_CMAKEDIR "${CMAKE_INSTALL_LIBDIR}/cmake/parquet_flow"
    CACHE STRING "Where parquet_flow's CMake package files go, relative to the prefix")

install(DIRECTORY "${PARQUET_FLOW_SOURCE_DIR}/include/"
        DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}"
        FILES_MATCHING PATTERN "*.h" PATTERN "*.hpp")
install(FILES "${CMAKE_CURRENT_BINARY_DIR}/generated/include/parquet_flow/version.hpp"
        DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}/parquet_flow")
install(TARGETS parquet_flow parquet_flow_c EXPORT parquet_flowTargets
        ARCHIVE DESTINATION "${CMAKE_INSTALL_LIBDIR}")
install(TARGETS parquet_flow_recover RUNTIME DESTINATION "${CMAKE_INSTALL_BINDIR}")
install(FILES "${PARQUET_FLOW_RUST_LIBRARY_FILE}"
        DESTINATION "${CMAKE_INSTALL_LIBDIR}"
        RENAME libparquet_flow_core.a)
install(EXPORT parquet_flowTargets
        NAMESPACE parquet_flow::
        DESTINATION "${PARQUET_FLOW_INSTALL_CMAKEDIR}")

configure_package_config_file(
  "${PARQUET_FLOW_SOURCE_DIR}/cmake/parquet_flowConfig.cmake.in"
  "${CMAKE_CURRENT_BINARY_DIR}/parquet_flowConfig.cmake"
  INSTALL_DESTINATION "${PARQUET_FLOW_INSTALL_CMAKEDIR}"
  PATH_VARS CMAKE_INSTALL_LIBDIR)
write_basic_package_version_file(
  "${CMAKE_CURRENT_BINARY_DIR}/parquet_flowConfigVersion.cmake"
  COMPATIBILITY SameMinorVersion)
install(FILES
          "${CMAKE_CURRENT_BINARY_DIR}/parquet_flowConfig.cmake"
          "${CMAKE_CURRENT_BINARY_DIR}/parquet_flowConfigVersion.cmake"
        DESTINATION "${PARQUET_FLOW_INSTALL_CMAKEDIR}")
