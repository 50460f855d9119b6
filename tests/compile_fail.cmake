# "Must not compile" checks for Sink::Producer::try_record (include/parquet_flow/sink.hpp). Each
# file in cpp/compile_fail/ holds one call that must be rejected; it is compiled with the
# project's C++ compiler, C++20, -fsyntax-only and the library's include directory:
#   compile_fail.<name>          as is: must fail (WILL_FAIL)
#   compile_fail.<name>.control  with -DPF_COMPILE_FAIL_CONTROL, which swaps the wrong call for
#                                the right one, and warnings as errors: must compile
# so a broken command line, header or test file cannot make a case pass: the wrong call is the
# only difference between the two. compile_fail.compile_ok records every accepted form with the
# same command line and must compile.
if(CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
  separate_arguments(_pf_cf_flags UNIX_COMMAND "${CMAKE_CXX_FLAGS}")
  if(CMAKE_SYSROOT)
    list(APPEND _pf_cf_flags "--sysroot=${CMAKE_SYSROOT}")
  endif()
  set(_pf_cf_command "${CMAKE_CXX_COMPILER}" ${_pf_cf_flags} -std=c++20 -fsyntax-only
      "-I${PARQUET_FLOW_SOURCE_DIR}/include")
  set(_pf_cf_dir "${CMAKE_CURRENT_SOURCE_DIR}/cpp/compile_fail")

  foreach(_pf_case
      vector_of_int
      span_of_uint32
      array_of_int
      list_of_char
      const_char_pointer
      const_char_pointer_with_timestamp
      pointer_to_vector
      buffer_view)
    add_test(NAME compile_fail.${_pf_case}
      COMMAND ${_pf_cf_command} "${_pf_cf_dir}/${_pf_case}.cpp")
    set_tests_properties(compile_fail.${_pf_case} PROPERTIES WILL_FAIL TRUE)
    add_test(NAME compile_fail.${_pf_case}.control
      COMMAND ${_pf_cf_command} -Wall -Wextra -Werror -DPF_COMPILE_FAIL_CONTROL "${_pf_cf_dir}/${_pf_case}.cpp")
  endforeach()

  add_test(NAME compile_fail.compile_ok
    COMMAND ${_pf_cf_command} -Wall -Wextra -Werror "${_pf_cf_dir}/compile_ok.cpp")
else()
  message(STATUS "parquet_flow: compile-fail tests skipped (they need a GCC or Clang command line)")
endif()
