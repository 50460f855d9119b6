# Builds tests/consumer/main_c.c the way a Make or Meson project would, with only the flags
# pkg-config gives for the installed package, and runs it:
#   cc main_c.c $(pkg-config --cflags --libs parquet_flow) -o consumer_c_pkg_config
# -DPREFIX=<install prefix> -DLIBDIR=<its lib dir> -DPKG_CONFIG=<pkg-config>
# -DC_COMPILER=<cc> -DSOURCE=<tests/consumer> -DBINARY=<work dir> [-DRUN_ENV=VAR=value]
if(NOT PKG_CONFIG)
  message(FATAL_ERROR "pkg-config was not found (the README's test command installs it)")
endif()
file(REMOVE_RECURSE "${BINARY}")
file(MAKE_DIRECTORY "${BINARY}")
execute_process(
  COMMAND "${CMAKE_COMMAND}" -E env "PKG_CONFIG_PATH=${PREFIX}/${LIBDIR}/pkgconfig"
          "${PKG_CONFIG}" --cflags --libs parquet_flow
  OUTPUT_VARIABLE flags OUTPUT_STRIP_TRAILING_WHITESPACE RESULT_VARIABLE rc ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "pkg-config --cflags --libs parquet_flow failed (${rc}): ${err}")
endif()
message(STATUS "pkg-config: ${flags}")
separate_arguments(flag_list UNIX_COMMAND "${flags}")
execute_process(
  COMMAND "${C_COMPILER}" "${SOURCE}/main_c.c" ${flag_list} -o consumer_c_pkg_config
  WORKING_DIRECTORY "${BINARY}" RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "compiling main_c.c with pkg-config's flags failed (${rc})")
endif()
execute_process(COMMAND "${CMAKE_COMMAND}" -E env ${RUN_ENV} "${BINARY}/consumer_c_pkg_config"
                WORKING_DIRECTORY "${BINARY}" RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "consumer_c_pkg_config exited with ${rc}")
endif()
if(NOT EXISTS "${BINARY}/consumer_c.parquet")
  message(FATAL_ERROR "consumer_c_pkg_config wrote no consumer_c.parquet")
endif()
