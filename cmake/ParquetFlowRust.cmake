# Imports the Rust core (crate parquet_flow_core) as the target parquet_flow::rust_core and
# makes the cxx bridge headers available in PARQUET_FLOW_CXXBRIDGE_DIR.
#
# PARQUET_FLOW_RUST_IMPORT selects how:
#   auto       Corrosion if it is installed (find_package) or its source is given with
#              FETCHCONTENT_SOURCE_DIR_CORROSION; otherwise cargo directly (no network needed).
#   corrosion  Corrosion: installed, or fetched (pinned tag) by FetchContent; needs network
#              unless one of the two above holds.
#   cargo      this module drives cargo itself and imports the static library.
# Either way cargo runs underneath; users only run CMake.

set(PARQUET_FLOW_RUST_IMPORT "auto" CACHE STRING "How to import the Rust core: auto, corrosion or cargo")
set_property(CACHE PARQUET_FLOW_RUST_IMPORT PROPERTY STRINGS auto corrosion cargo)

set(PARQUET_FLOW_CORROSION_TAG "v0.6.1")
set(PARQUET_FLOW_CXXBRIDGE_DIR "${CMAKE_CURRENT_BINARY_DIR}/cxxbridge")
set(_pf_bridge_headers
    "${PARQUET_FLOW_CXXBRIDGE_DIR}/parquet_flow_core/bridge.rs.h"
    "${PARQUET_FLOW_CXXBRIDGE_DIR}/rust/cxx.h")

# Air-gapped builds: crates prepared beforehand with `cargo vendor <dir>` (see README), used
# offline through a cargo configuration file this module writes. Every cargo call of the build
# and of the tests gets PARQUET_FLOW_CARGO_SOURCE_ARGS.
set(PARQUET_FLOW_VENDOR_DIR "" CACHE PATH
    "Directory made by `cargo vendor`: build the Rust core from it, offline (empty: the crates registry)")
set(PARQUET_FLOW_CARGO_SOURCE_ARGS "")
if(PARQUET_FLOW_VENDOR_DIR)
  get_filename_component(_pf_vendor "${PARQUET_FLOW_VENDOR_DIR}" ABSOLUTE)
  if(NOT IS_DIRECTORY "${_pf_vendor}")
    message(FATAL_ERROR "PARQUET_FLOW_VENDOR_DIR '${_pf_vendor}' is not a directory: prepare it with "
                        "`cargo vendor --locked --manifest-path <parquet_flow>/Cargo.toml <dir>`")
  endif()
  file(WRITE "${CMAKE_CURRENT_BINARY_DIR}/cargo-vendored-sources.toml"
       "# Written by parquet_flow's CMake (PARQUET_FLOW_VENDOR_DIR): crates from a vendor directory.\n"
       "[source.crates-io]\nreplace-with = \"parquet-flow-vendored\"\n\n"
       "[source.parquet-flow-vendored]\ndirectory = \"${_pf_vendor}\"\n")
  set(PARQUET_FLOW_CARGO_SOURCE_ARGS --offline --config "${CMAKE_CURRENT_BINARY_DIR}/cargo-vendored-sources.toml")
  message(STATUS "parquet_flow: Rust crates from ${_pf_vendor}, offline")
endif()

# Cargo's profile follows the CMake build type; release unless Debug is asked for.
if(CMAKE_BUILD_TYPE STREQUAL "Debug")
  set(_pf_cargo_profile_dir debug)
  set(PARQUET_FLOW_CARGO_PROFILE_ARGS "")
else()
  set(_pf_cargo_profile_dir release)
  set(PARQUET_FLOW_CARGO_PROFILE_ARGS --release)
endif()

set(PARQUET_FLOW_CARGO_TARGET_DIR "${CMAKE_CURRENT_BINARY_DIR}/cargo" CACHE PATH
    "cargo's target directory for the Rust core without Corrosion (may be shared between build trees)")

# cargo itself: the offline import drives it, and ctest runs the Rust unit tests with it.
find_program(PARQUET_FLOW_CARGO cargo HINTS "$ENV{CARGO_HOME}/bin" "$ENV{HOME}/.cargo/bin")
if(NOT PARQUET_FLOW_CARGO)
  message(FATAL_ERROR "parquet_flow needs cargo (the Rust toolchain, https://rustup.rs) to build its core")
endif()

set(_pf_import "${PARQUET_FLOW_RUST_IMPORT}")
if(_pf_import STREQUAL "auto")
  find_package(Corrosion 0.5 QUIET CONFIG)
  if(Corrosion_FOUND OR DEFINED FETCHCONTENT_SOURCE_DIR_CORROSION)
    set(_pf_import corrosion)
  else()
    set(_pf_import cargo)
  endif()
endif()
message(STATUS "parquet_flow: importing the Rust core with ${_pf_import}")

# The C and C++ that cargo's build scripts compile (the cxx bridge glue and runtime, zstd) is
# built by CMake's compilers with CMake's flags, so both sides share one ABI: a standard library
# picked with -stdlib=libc++, sanitizers, -m32, _GLIBCXX_/_LIBCPP_ macros. Warning flags are left
# out (a -Werror meant for our code must not fail a dependency's build). cc-rs reads CC, CXX,
# CFLAGS and CXXFLAGS, and CXXSTDLIB for the C++ library it reports.
function(_pf_without_warnings out flags)
  separate_arguments(list UNIX_COMMAND "${flags}")
  list(FILTER list EXCLUDE REGEX "^-W([^lap]|[lap][^,]|$)")  # keeps -Wl, -Wa, -Wp,
  list(JOIN list " " joined)
  set(${out} "${joined}" PARENT_SCOPE)
endfunction()
_pf_without_warnings(_pf_cflags "${CMAKE_C_FLAGS}")
_pf_without_warnings(_pf_cxxflags "${CMAKE_CXX_FLAGS}")
set(PARQUET_FLOW_CARGO_ENV
    "PARQUET_FLOW_CXXBRIDGE_DIR=${PARQUET_FLOW_CXXBRIDGE_DIR}"
    "CC=${CMAKE_C_COMPILER}"
    "CXX=${CMAKE_CXX_COMPILER}"
    "CFLAGS=${_pf_cflags}"
    "CXXFLAGS=${_pf_cxxflags}")
if(_pf_cxxflags MATCHES "(^| )-stdlib=libc\\+\\+( |$)")
  list(APPEND PARQUET_FLOW_CARGO_ENV "CXXSTDLIB=c++")
endif()

add_library(parquet_flow::rust_core INTERFACE IMPORTED GLOBAL)

if(_pf_import STREQUAL "corrosion")
  include(FetchContent)
  # An installed Corrosion first; FetchContent's FIND_PACKAGE_ARGS does that from CMake 3.24,
  # before it by hand (the project's minimum is 3.22).
  if(CMAKE_VERSION VERSION_GREATER_EQUAL 3.24)
    FetchContent_Declare(Corrosion
      GIT_REPOSITORY https://github.com/corrosion-rs/corrosion.git
      GIT_TAG ${PARQUET_FLOW_CORROSION_TAG}
      FIND_PACKAGE_ARGS)
    FetchContent_MakeAvailable(Corrosion)
  else()
    find_package(Corrosion QUIET CONFIG)
    if(NOT Corrosion_FOUND)
      FetchContent_Declare(Corrosion
        GIT_REPOSITORY https://github.com/corrosion-rs/corrosion.git
        GIT_TAG ${PARQUET_FLOW_CORROSION_TAG})
      FetchContent_MakeAvailable(Corrosion)
    endif()
  endif()
  corrosion_import_crate(
    MANIFEST_PATH "${PARQUET_FLOW_SOURCE_DIR}/rust/Cargo.toml"
    CRATES parquet_flow_core
    CRATE_TYPES staticlib
    LOCKED
    FLAGS ${PARQUET_FLOW_CARGO_SOURCE_ARGS})
  corrosion_set_env_vars(parquet_flow_core ${PARQUET_FLOW_CARGO_ENV})
  # Tell Ninja that the cargo step (re)writes the bridge headers, so C++ that includes them is
  # rebuilt after a bridge change instead of compiling against stale copies.
  add_custom_command(TARGET cargo-build_parquet_flow_core POST_BUILD
    COMMAND "${CMAKE_COMMAND}" -E true
    BYPRODUCTS ${_pf_bridge_headers})
  set(_pf_cargo_step cargo-build_parquet_flow_core)
  target_link_libraries(parquet_flow::rust_core INTERFACE parquet_flow_core)
  set(PARQUET_FLOW_RUST_LIBRARY_FILE "$<TARGET_PROPERTY:parquet_flow_core-static,IMPORTED_LOCATION>")
else()
  set(_pf_target_dir "${PARQUET_FLOW_CARGO_TARGET_DIR}")
  set(_pf_lib "${_pf_target_dir}/${_pf_cargo_profile_dir}/libparquet_flow_core.a")
  # Always run: cargo knows best whether anything changed, and a no-op takes a fraction of a
  # second. BYPRODUCTS let Ninja restat the library and headers afterwards.
  add_custom_target(parquet_flow_cargo_build
    COMMAND "${CMAKE_COMMAND}" -E env ${PARQUET_FLOW_CARGO_ENV} "CARGO_TARGET_DIR=${_pf_target_dir}"
            "${PARQUET_FLOW_CARGO}" build --locked ${PARQUET_FLOW_CARGO_SOURCE_ARGS} -p parquet_flow_core --lib
            ${PARQUET_FLOW_CARGO_PROFILE_ARGS}
            --manifest-path "${PARQUET_FLOW_SOURCE_DIR}/Cargo.toml"
    # cxx-build keeps the generated headers under <target>/cxxbridge. The build script's own copy
    # only happens when cargo reruns it, which a target directory shared by two build trees
    # (the add_subdirectory consumer test) does not guarantee: copy them after every build.
    COMMAND "${CMAKE_COMMAND}" -E make_directory "${PARQUET_FLOW_CXXBRIDGE_DIR}/parquet_flow_core"
            "${PARQUET_FLOW_CXXBRIDGE_DIR}/rust"
    COMMAND "${CMAKE_COMMAND}" -E copy_if_different
            "${_pf_target_dir}/cxxbridge/parquet_flow_core/src/bridge.rs.h"
            "${PARQUET_FLOW_CXXBRIDGE_DIR}/parquet_flow_core/bridge.rs.h"
    COMMAND "${CMAKE_COMMAND}" -E copy_if_different
            "${_pf_target_dir}/cxxbridge/rust/cxx.h" "${PARQUET_FLOW_CXXBRIDGE_DIR}/rust/cxx.h"
    BYPRODUCTS "${_pf_lib}" ${_pf_bridge_headers}
    WORKING_DIRECTORY "${PARQUET_FLOW_SOURCE_DIR}"
    VERBATIM
    USES_TERMINAL
    COMMENT "cargo build parquet_flow_core (${_pf_cargo_profile_dir})")
  set(_pf_cargo_step parquet_flow_cargo_build)
  add_library(parquet_flow_rust_static STATIC IMPORTED GLOBAL)
  set_target_properties(parquet_flow_rust_static PROPERTIES IMPORTED_LOCATION "${_pf_lib}")
  target_link_libraries(parquet_flow::rust_core INTERFACE parquet_flow_rust_static)
  set(PARQUET_FLOW_RUST_LIBRARY_FILE "${_pf_lib}")
endif()

# What Rust's standard library needs from the system when linked statically.
find_package(Threads REQUIRED)
target_link_libraries(parquet_flow::rust_core INTERFACE Threads::Threads ${CMAKE_DL_LIBS} m)
set(PARQUET_FLOW_CARGO_STEP "${_pf_cargo_step}")
