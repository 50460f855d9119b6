# An air-gapped build: the crates are prepared with `cargo vendor` (the one step that needs the
# registry), then the library is configured and built from them with an empty CARGO_HOME and
# CARGO_NET_OFFLINE=true, into a cargo target directory of its own, so every crate is compiled
# from the vendor directory and nothing can be fetched.
#   cmake -P run_vendored.cmake -DPARQUET_FLOW_SOURCE=<src> -DCARGO=<cargo> -DBINARY=<work dir>
#         -DGENERATOR=<gen> -DC_COMPILER=... -DCXX_COMPILER=...
file(REMOVE_RECURSE "${BINARY}")
file(MAKE_DIRECTORY "${BINARY}/empty-cargo-home")

include("${CMAKE_CURRENT_LIST_DIR}/step.cmake")

# As the README says to prepare it (on a machine with registry access).
step("${CARGO}" vendor --locked --manifest-path "${PARQUET_FLOW_SOURCE}/Cargo.toml" "${BINARY}/vendor")

set(offline "${CMAKE_COMMAND}" -E env "CARGO_HOME=${BINARY}/empty-cargo-home" CARGO_NET_OFFLINE=true)
step(${offline} "${CMAKE_COMMAND}" -S "${PARQUET_FLOW_SOURCE}" -B "${BINARY}/build" -G "${GENERATOR}"
     "-DCMAKE_C_COMPILER=${C_COMPILER}" "-DCMAKE_CXX_COMPILER=${CXX_COMPILER}" -DCMAKE_BUILD_TYPE=Release
     -DPARQUET_FLOW_BUILD_TESTS=OFF -DPARQUET_FLOW_BUILD_BENCHMARKS=OFF -DPARQUET_FLOW_BUILD_EXAMPLES=OFF
     -DPARQUET_FLOW_RUST_IMPORT=cargo "-DPARQUET_FLOW_VENDOR_DIR=${BINARY}/vendor"
     "-DPARQUET_FLOW_CARGO_TARGET_DIR=${BINARY}/cargo-target")
step(${offline} "${CMAKE_COMMAND}" --build "${BINARY}/build")
file(GLOB registry "${BINARY}/empty-cargo-home/registry/*")
if(registry)
  message(FATAL_ERROR "cargo used a registry during the vendored build: ${registry}")
endif()
if(NOT EXISTS "${BINARY}/cargo-target/release/libparquet_flow_core.a")
  message(FATAL_ERROR "the vendored build left no libparquet_flow_core.a")
endif()
# The library works: the recovery tool it links calls into the Rust core, which reports the
# missing file.
execute_process(COMMAND "${BINARY}/build/parquet_flow_recover" no-such-file.parquet
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(rc EQUAL 0 OR NOT "${out}${err}" MATCHES "no-such-file.parquet")
  message(FATAL_ERROR "parquet_flow_recover from the vendored build: exit ${rc}, ${out}${err}")
endif()
