# The minimum CMake version the project declares, used for real: run by that CMake (the one
# tests/readers/requirements.txt installs into the test venv), it checks that every file
# declares the same minimum, then configures and builds the library and its tools, installs
# them, and builds and runs the consumer project against the install (find_package with a
# version). cmake -P run_minimum_cmake.cmake with -DPARQUET_FLOW_SOURCE=<src> -DBINARY=<dir>
#   -DCARGO_TARGET_DIR=<dir> -DGENERATOR=<gen> -DC_COMPILER=... -DCXX_COMPILER=...
#   -DCONSUMER=<tests/consumer>
file(REMOVE_RECURSE "${BINARY}")
file(MAKE_DIRECTORY "${BINARY}")
include("${CMAKE_CURRENT_LIST_DIR}/step.cmake")

# One minimum everywhere: the project, the consumer project and the presets.
file(READ "${PARQUET_FLOW_SOURCE}/CMakeLists.txt" top)
string(REGEX MATCH "cmake_minimum_required\\(VERSION ([0-9.]+)\\)" _ "${top}")
set(minimum "${CMAKE_MATCH_1}")
file(READ "${CONSUMER}/CMakeLists.txt" consumer)
string(REGEX MATCH "cmake_minimum_required\\(VERSION ([0-9.]+)\\)" _ "${consumer}")
set(consumer_minimum "${CMAKE_MATCH_1}")
file(READ "${PARQUET_FLOW_SOURCE}/CMakePresets.json" presets)
string(JSON presets_major GET "${presets}" cmakeMinimumRequired major)
string(JSON presets_minor GET "${presets}" cmakeMinimumRequired minor)
if(NOT consumer_minimum VERSION_EQUAL minimum OR NOT "${presets_major}.${presets_minor}" VERSION_EQUAL minimum)
  message(FATAL_ERROR "minimum CMake versions differ: CMakeLists.txt ${minimum}, tests/consumer ${consumer_minimum}, "
                      "CMakePresets.json ${presets_major}.${presets_minor}")
endif()
# And this CMake is that minimum (major.minor), so what follows proves it suffices.
if(NOT "${CMAKE_MAJOR_VERSION}.${CMAKE_MINOR_VERSION}" VERSION_EQUAL minimum)
  message(FATAL_ERROR "run by CMake ${CMAKE_VERSION}, not the declared minimum ${minimum}: install it "
                      "(tests/readers/requirements.txt pins it for the test venv)")
endif()

set(build "${BINARY}/build")
set(prefix "${BINARY}/prefix")
step("${CMAKE_COMMAND}" -S "${PARQUET_FLOW_SOURCE}" -B "${build}" -G "${GENERATOR}"
     "-DCMAKE_C_COMPILER=${C_COMPILER}" "-DCMAKE_CXX_COMPILER=${CXX_COMPILER}" -DCMAKE_BUILD_TYPE=Release
     -DPARQUET_FLOW_BUILD_TESTS=OFF -DPARQUET_FLOW_BUILD_BENCHMARKS=OFF -DPARQUET_FLOW_BUILD_EXAMPLES=OFF
     -DPARQUET_FLOW_RUST_IMPORT=cargo "-DPARQUET_FLOW_CARGO_TARGET_DIR=${CARGO_TARGET_DIR}")
step("${CMAKE_COMMAND}" --build "${build}")
step("${CMAKE_COMMAND}" --install "${build}" --prefix "${prefix}")
step("${CMAKE_COMMAND}" -DMODE=package "-DSOURCE=${CONSUMER}" "-DBINARY=${BINARY}/consumer"
     "-DGENERATOR=${GENERATOR}" "-DC_COMPILER=${C_COMPILER}" "-DCXX_COMPILER=${CXX_COMPILER}"
     "-DPREFIX=${prefix}" -P "${CONSUMER}/run_consumer.cmake")
message(STATUS "CMake ${CMAKE_VERSION}: configured, built, installed and consumed")
