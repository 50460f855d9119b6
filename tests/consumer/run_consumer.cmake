# Configures, builds and runs the consumer project: cmake -P run_consumer.cmake with
#   -DMODE=package|subdirectory|fetchcontent -DSOURCE=<consumer dir> -DBINARY=<build dir>
#   -DGENERATOR=<gen> -DC_COMPILER=... -DCXX_COMPILER=... and -DPREFIX=<install prefix>
#   (package) or -DPARQUET_FLOW_SOURCE=<dir> -DCARGO_TARGET_DIR=<dir> (subdirectory,
#   fetchcontent: the source must be a git checkout; its HEAD commit is fetched).
file(REMOVE_RECURSE "${BINARY}")
set(args -S "${SOURCE}" -B "${BINARY}" -G "${GENERATOR}"
         "-DCMAKE_C_COMPILER=${C_COMPILER}" "-DCMAKE_CXX_COMPILER=${CXX_COMPILER}"
         "-DPARQUET_FLOW_CONSUMER_MODE=${MODE}")
if(MODE STREQUAL "fetchcontent")
  find_program(GIT git REQUIRED)
  execute_process(COMMAND "${GIT}" -C "${PARQUET_FLOW_SOURCE}" rev-parse HEAD
                  OUTPUT_VARIABLE head OUTPUT_STRIP_TRAILING_WHITESPACE RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${PARQUET_FLOW_SOURCE} is not a git checkout: the FetchContent test needs one")
  endif()
  list(APPEND args "-DPARQUET_FLOW_GIT_TAG=${head}")
endif()
if(MODE STREQUAL "package")
  # The package is used as released software: a Release consumer.
  list(APPEND args -DCMAKE_BUILD_TYPE=Release)
  # No Rust toolchain usable: cargo and rustc on PATH are stand-ins that fail (a system cargo in
  # /usr/bin is shadowed), no cargo/rustup homes.
  set(no_rust "${BINARY}/no-rust")
  foreach(tool cargo rustc)
    file(WRITE "${no_rust}/${tool}" "#!/bin/sh\necho \"${tool} was run: the installed package must not need it\" >&2\nexit 1\n")
    file(CHMOD "${no_rust}/${tool}" PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE)
  endforeach()
  set(env "${CMAKE_COMMAND}" -E env --unset=CARGO_HOME --unset=RUSTUP_HOME --unset=CARGO
          "PATH=${no_rust}:/usr/bin:/bin" "HOME=${BINARY}")
  list(APPEND args "-DCMAKE_PREFIX_PATH=${PREFIX}")
else()
  set(env "${CMAKE_COMMAND}" -E env)
  list(APPEND args "-DPARQUET_FLOW_SOURCE=${PARQUET_FLOW_SOURCE}"
                   "-DPARQUET_FLOW_CARGO_TARGET_DIR=${CARGO_TARGET_DIR}")
endif()

include("${CMAKE_CURRENT_LIST_DIR}/step.cmake")

file(MAKE_DIRECTORY "${BINARY}")
step(${env} "${CMAKE_COMMAND}" ${args})
step(${env} "${CMAKE_COMMAND}" --build "${BINARY}")
step("${BINARY}/consumer_cpp")
step("${BINARY}/consumer_c")
if(MODE STREQUAL "package")
  # The installed tools run on what the consumer wrote.
  step("${PREFIX}/bin/parquet_flow_inspect" --rows 3 consumer_cpp.parquet)
endif()
