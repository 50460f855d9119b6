# The ITCH example end to end: capture a synthetic feed from several threads into one table per
# message type, then query it with DuckDB as the README shows (examples/itch_query.py), checking
# that each table holds exactly the messages the capture reported.
#   cmake -DCAPTURE=<itch_capture> -DPYTHON=<python> -DQUERY=<itch_query.py> -DOUT=<dir> -P itch_example.cmake
file(REMOVE_RECURSE "${OUT}")
string(TIMESTAMP started "%s")
execute_process(COMMAND "${CAPTURE}" "${OUT}" 3 40000
  OUTPUT_VARIABLE captured RESULT_VARIABLE capture_result)
string(TIMESTAMP captured_at "%s")
math(EXPR capture_seconds "${captured_at} - ${started}")
message("${captured}(capture took about ${capture_seconds} s)")
if(NOT capture_result EQUAL 0)
  message(FATAL_ERROR "itch_capture failed (${capture_result})")
endif()
string(REGEX MATCH "add_order=[^\n]*" counts "${captured}")
execute_process(COMMAND "${PYTHON}" "${QUERY}" "${OUT}" --expect "${counts}" RESULT_VARIABLE query_result)
string(TIMESTAMP queried_at "%s")
math(EXPR query_seconds "${queried_at} - ${captured_at}")
message("(query took about ${query_seconds} s)")
if(NOT query_result EQUAL 0)
  message(FATAL_ERROR "itch_query failed (${query_result})")
endif()
