# step(<command> [args...]): runs a command in ${BINARY} and stops the script, naming the
# command and its exit code, if it fails. Shared by the consumer scripts (cmake -P).
function(step)
  execute_process(COMMAND ${ARGN} WORKING_DIRECTORY "${BINARY}" RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    list(JOIN ARGN " " command)
    message(FATAL_ERROR "failed (${rc}): ${command}")
  endif()
endfunction()
