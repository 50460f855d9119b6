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
        ARCHIVE DESTINATION "${CMAKE_INSTALL_LIBDIR}"
        LIBRARY DESTINATION "${CMAKE_INSTALL_LIBDIR}")
install(TARGETS parquet_flow_recover parquet_flow_inspect RUNTIME DESTINATION "${CMAKE_INSTALL_BINDIR}")
if(NOT PARQUET_FLOW_SHARED)
  # The static library needs the Rust core beside it; the shared one has it inside.
  install(FILES "${PARQUET_FLOW_RUST_LIBRARY_FILE}"
          DESTINATION "${CMAKE_INSTALL_LIBDIR}"
          RENAME libparquet_flow_core.a)
endif()
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

# pkg-config, for C and C++ builds without CMake (Make, Meson, ...):
#   cc app.c $(pkg-config --cflags --libs parquet_flow)
# The .pc file names the prefix relative to its own directory, so it works wherever the
# package is installed (cmake --install --prefix included).
file(RELATIVE_PATH PARQUET_FLOW_PC_TO_PREFIX "/prefix/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/prefix")
if(PARQUET_FLOW_SHARED)
  set(PARQUET_FLOW_PC_LIBS "-L\${libdir} -lparquet_flow")
  set(PARQUET_FLOW_PC_LIBS_PRIVATE "-lstdc++ -lpthread -ldl -lm")
else()
  # Static archives: everything the C++ library and the Rust core need, on the one line
  # (a C program links the C++ runtime through it too).
  set(PARQUET_FLOW_PC_LIBS "-L\${libdir} -lparquet_flow -lparquet_flow_core -lstdc++ -lpthread -ldl -lm")
  set(PARQUET_FLOW_PC_LIBS_PRIVATE "")
endif()
configure_file("${PARQUET_FLOW_SOURCE_DIR}/cmake/parquet_flow.pc.in"
               "${CMAKE_CURRENT_BINARY_DIR}/parquet_flow.pc" @ONLY)
install(FILES "${CMAKE_CURRENT_BINARY_DIR}/parquet_flow.pc"
        DESTINATION "${CMAKE_INSTALL_LIBDIR}/pkgconfig")
