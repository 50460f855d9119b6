# The consumer project (tests/consumer) against the installed package and via add_subdirectory.
set(_pf_consumer_common
  -DSOURCE=${CMAKE_CURRENT_SOURCE_DIR}/consumer
  "-DGENERATOR=${CMAKE_GENERATOR}"
  -DC_COMPILER=${CMAKE_C_COMPILER}
  -DCXX_COMPILER=${CMAKE_CXX_COMPILER})
set(_pf_prefix "${CMAKE_CURRENT_BINARY_DIR}/consumer-prefix")

add_test(NAME install_package
  COMMAND "${CMAKE_COMMAND}" --install "${CMAKE_BINARY_DIR}" --prefix "${_pf_prefix}")
set_tests_properties(install_package PROPERTIES FIXTURES_SETUP parquet_flow_installed)

add_test(NAME consumer_find_package
  COMMAND "${CMAKE_COMMAND}" ${_pf_consumer_common} -DMODE=package -DPREFIX=${_pf_prefix}
          -DBINARY=${CMAKE_CURRENT_BINARY_DIR}/consumer-package
          -P "${CMAKE_CURRENT_SOURCE_DIR}/consumer/run_consumer.cmake")
set_tests_properties(consumer_find_package PROPERTIES FIXTURES_REQUIRED parquet_flow_installed)

# A C program built with only pkg-config's flags for the installed package (no CMake).
find_program(PARQUET_FLOW_PKG_CONFIG NAMES pkg-config pkgconf)
add_test(NAME consumer_pkg_config
  COMMAND "${CMAKE_COMMAND}" -DPREFIX=${_pf_prefix} -DLIBDIR=${CMAKE_INSTALL_LIBDIR}
          -DPKG_CONFIG=${PARQUET_FLOW_PKG_CONFIG} -DC_COMPILER=${CMAKE_C_COMPILER}
          -DSOURCE=${CMAKE_CURRENT_SOURCE_DIR}/consumer
          -DBINARY=${CMAKE_CURRENT_BINARY_DIR}/consumer-pkg-config
          -P "${CMAKE_CURRENT_SOURCE_DIR}/consumer/run_pkg_config.cmake")
set_tests_properties(consumer_pkg_config PROPERTIES FIXTURES_REQUIRED parquet_flow_installed)

# BUILD_SHARED_LIBS=ON: a second build tree of the library as libparquet_flow.so (the same cargo
# target directory: the Rust core is not rebuilt), installed and used by the consumer project
# and by pkg-config.
add_test(NAME consumer_shared
  COMMAND "${CMAKE_COMMAND}" ${_pf_consumer_common}
          -DPARQUET_FLOW_SOURCE=${PARQUET_FLOW_SOURCE_DIR}
          -DCARGO_TARGET_DIR=${PARQUET_FLOW_CARGO_TARGET_DIR}
          -DCONSUMER=${CMAKE_CURRENT_SOURCE_DIR}/consumer
          -DPKG_CONFIG=${PARQUET_FLOW_PKG_CONFIG}
          -DBINARY=${CMAKE_CURRENT_BINARY_DIR}/consumer-shared
          -P "${CMAKE_CURRENT_SOURCE_DIR}/consumer/run_shared.cmake")
set_tests_properties(consumer_shared PROPERTIES RESOURCE_LOCK cargo_target_dir)

# Offline: crates from `cargo vendor`, an empty CARGO_HOME, CARGO_NET_OFFLINE=true, a cold cargo
# target directory (compiles every crate: about a minute and a half on two cores).
add_test(NAME vendored_offline_build
  COMMAND "${CMAKE_COMMAND}" "-DGENERATOR=${CMAKE_GENERATOR}" -DC_COMPILER=${CMAKE_C_COMPILER}
          -DCXX_COMPILER=${CMAKE_CXX_COMPILER} -DPARQUET_FLOW_SOURCE=${PARQUET_FLOW_SOURCE_DIR}
          -DCARGO=${PARQUET_FLOW_CARGO} -DBINARY=${CMAKE_CURRENT_BINARY_DIR}/vendored
          -P "${CMAKE_CURRENT_SOURCE_DIR}/consumer/run_vendored.cmake")
set_tests_properties(vendored_offline_build PROPERTIES RUN_SERIAL TRUE TIMEOUT 900)

# Shares the main build's cargo target directory, so only the crate itself is rebuilt.
add_test(NAME consumer_add_subdirectory
  COMMAND "${CMAKE_COMMAND}" ${_pf_consumer_common} -DMODE=subdirectory
          -DPARQUET_FLOW_SOURCE=${PARQUET_FLOW_SOURCE_DIR}
          -DCARGO_TARGET_DIR=${PARQUET_FLOW_CARGO_TARGET_DIR}
          -DBINARY=${CMAKE_CURRENT_BINARY_DIR}/consumer-subdirectory
          -P "${CMAKE_CURRENT_SOURCE_DIR}/consumer/run_consumer.cmake")
# FetchContent from this source tree's git repository (its committed HEAD), the way a project
# pins a release; only where the source is a git checkout.
if(EXISTS "${PARQUET_FLOW_SOURCE_DIR}/.git")
  add_test(NAME consumer_fetchcontent
    COMMAND "${CMAKE_COMMAND}" ${_pf_consumer_common} -DMODE=fetchcontent
            -DPARQUET_FLOW_SOURCE=${PARQUET_FLOW_SOURCE_DIR}
            -DCARGO_TARGET_DIR=${PARQUET_FLOW_CARGO_TARGET_DIR}
            -DBINARY=${CMAKE_CURRENT_BINARY_DIR}/consumer-fetchcontent
            -P "${CMAKE_CURRENT_SOURCE_DIR}/consumer/run_consumer.cmake")
  set_tests_properties(consumer_fetchcontent PROPERTIES RESOURCE_LOCK cargo_target_dir)
endif()

# The declared minimum CMake, for real: the venv's cmake (tests/readers/requirements.txt)
# checks that every file declares the same minimum, then configures, builds and installs the
# library and builds the consumer against it.
get_filename_component(_pf_venv_bin "${PARQUET_FLOW_PYTHON}" DIRECTORY)
find_program(PARQUET_FLOW_MINIMUM_CMAKE cmake PATHS "${_pf_venv_bin}" NO_DEFAULT_PATH)
if(PARQUET_FLOW_MINIMUM_CMAKE)
  add_test(NAME cmake_minimum_version
    COMMAND "${PARQUET_FLOW_MINIMUM_CMAKE}" ${_pf_consumer_common}
            -DPARQUET_FLOW_SOURCE=${PARQUET_FLOW_SOURCE_DIR} -DCONSUMER=${CMAKE_CURRENT_SOURCE_DIR}/consumer
            -DCARGO_TARGET_DIR=${PARQUET_FLOW_CARGO_TARGET_DIR}
            -DBINARY=${CMAKE_CURRENT_BINARY_DIR}/cmake-minimum
            -P "${CMAKE_CURRENT_SOURCE_DIR}/consumer/run_minimum_cmake.cmake")
  set_tests_properties(cmake_minimum_version PROPERTIES RESOURCE_LOCK cargo_target_dir)
else()
  add_test(NAME cmake_minimum_version
    COMMAND "${CMAKE_COMMAND}" -E echo "no cmake beside ${PARQUET_FLOW_PYTHON}: make test installs the declared minimum there")
  set_tests_properties(cmake_minimum_version PROPERTIES WILL_FAIL TRUE)
endif()

# These use the same cargo target directory (the install copies the archive cargo writes there):
# one at a time.
set_tests_properties(consumer_add_subdirectory rust_unit_tests install_package
  PROPERTIES RESOURCE_LOCK cargo_target_dir)
