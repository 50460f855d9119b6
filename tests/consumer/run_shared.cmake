# BUILD_SHARED_LIBS=ON, as a team that ships plugins would build it: configures and builds
# parquet_flow as a shared library, installs it, checks the library (SONAME, only pf_* and
# parquet_flow:: symbols exported, no Rust archive installed), then builds and runs the consumer
# project against it with find_package (versioned) and a C program with pkg-config's flags.
#   cmake -P run_shared.cmake -DPARQUET_FLOW_SOURCE=<src> -DCARGO_TARGET_DIR=<dir>
#         -DBINARY=<work dir> -DGENERATOR=<gen> -DC_COMPILER=... -DCXX_COMPILER=...
#         -DCONSUMER=<tests/consumer> -DPKG_CONFIG=<pkg-config>
file(REMOVE_RECURSE "${BINARY}")
file(MAKE_DIRECTORY "${BINARY}")
set(build "${BINARY}/build")
set(prefix "${BINARY}/prefix")

include("${CMAKE_CURRENT_LIST_DIR}/step.cmake")

step("${CMAKE_COMMAND}" -S "${PARQUET_FLOW_SOURCE}" -B "${build}" -G "${GENERATOR}"
     "-DCMAKE_C_COMPILER=${C_COMPILER}" "-DCMAKE_CXX_COMPILER=${CXX_COMPILER}"
     -DCMAKE_BUILD_TYPE=Release -DBUILD_SHARED_LIBS=ON -DCMAKE_INSTALL_LIBDIR=lib
     -DPARQUET_FLOW_BUILD_TESTS=OFF -DPARQUET_FLOW_BUILD_BENCHMARKS=OFF -DPARQUET_FLOW_BUILD_EXAMPLES=OFF
     -DPARQUET_FLOW_RUST_IMPORT=cargo "-DPARQUET_FLOW_CARGO_TARGET_DIR=${CARGO_TARGET_DIR}")
step("${CMAKE_COMMAND}" --build "${build}")
step("${CMAKE_COMMAND}" --install "${build}" --prefix "${prefix}")

file(READ "${PARQUET_FLOW_SOURCE}/rust/Cargo.toml" manifest)
string(REGEX MATCH "\nversion = \"([0-9]+)\\.([0-9]+)\\.([0-9]+)\"" _ "${manifest}")
set(soname "libparquet_flow.so.${CMAKE_MATCH_1}.${CMAKE_MATCH_2}")
if(NOT EXISTS "${prefix}/lib/${soname}")
  file(GLOB installed "${prefix}/lib/*")
  message(FATAL_ERROR "no ${soname} installed; lib has: ${installed}")
endif()
if(EXISTS "${prefix}/lib/libparquet_flow_core.a" OR EXISTS "${prefix}/lib/libparquet_flow.a")
  message(FATAL_ERROR "a static archive was installed beside the shared library")
endif()

find_program(READELF readelf REQUIRED)
find_program(NM nm REQUIRED)
execute_process(COMMAND "${READELF}" -d "${prefix}/lib/libparquet_flow.so" OUTPUT_VARIABLE dynamic)
if(NOT dynamic MATCHES "Library soname: \\[${soname}\\]")
  message(FATAL_ERROR "SONAME is not ${soname}:\n${dynamic}")
endif()
# Every exported symbol is ours: pf_* or in namespace parquet_flow (with its typeinfo/vtables).
execute_process(COMMAND "${NM}" -D -C --defined-only "${prefix}/lib/libparquet_flow.so" OUTPUT_VARIABLE symbols)
string(REPLACE "\n" ";" lines "${symbols}")
set(ours 0)
set(foreign "")
foreach(line IN LISTS lines)
  if(line STREQUAL "")
    continue()
  endif()
  # "<address> <type> <name>"
  string(REGEX REPLACE "^[0-9a-f]* *[A-Za-z] " "" name "${line}")
  if(name MATCHES "^pf_" OR name MATCHES "parquet_flow::")
    math(EXPR ours "${ours} + 1")
  elseif(NOT name MATCHES "^PARQUET_FLOW" AND NOT name MATCHES "^\\(")
    list(APPEND foreign "${name}")
  endif()
endforeach()
list(LENGTH foreign n_foreign)
if(n_foreign GREATER 0 OR ours LESS 50)
  list(SUBLIST foreign 0 20 some)
  message(FATAL_ERROR "${ours} of our symbols exported, and ${n_foreign} others, e.g.: ${some}")
endif()
message(STATUS "libparquet_flow.so: SONAME ${soname}, ${ours} symbols exported, all pf_* or parquet_flow::")

step("${CMAKE_COMMAND}" -DMODE=package "-DSOURCE=${CONSUMER}" "-DBINARY=${BINARY}/consumer"
     "-DGENERATOR=${GENERATOR}" "-DC_COMPILER=${C_COMPILER}" "-DCXX_COMPILER=${CXX_COMPILER}"
     "-DPREFIX=${prefix}" -P "${CONSUMER}/run_consumer.cmake")
foreach(program "${BINARY}/consumer/consumer_cpp" "${prefix}/bin/parquet_flow_inspect")
  execute_process(COMMAND ldd "${program}" OUTPUT_VARIABLE linked)
  if(NOT linked MATCHES "${soname}")
    message(FATAL_ERROR "${program} is not linked to ${soname}:\n${linked}")
  endif()
endforeach()
step("${CMAKE_COMMAND}" "-DPREFIX=${prefix}" -DLIBDIR=lib "-DPKG_CONFIG=${PKG_CONFIG}"
     "-DC_COMPILER=${C_COMPILER}" "-DSOURCE=${CONSUMER}" "-DBINARY=${BINARY}/pkg-config"
     "-DRUN_ENV=LD_LIBRARY_PATH=${prefix}/lib" -P "${CONSUMER}/run_pkg_config.cmake")
