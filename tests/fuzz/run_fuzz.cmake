# run_fuzz.cmake - the ctest side of a fuzz test: copy the seed corpus SEEDS into WORK
# (fresh each time, so the source tree is never written) and run FUZZER on the copy
# with ARGS. Fails when the fuzzer exits non-zero (a crash, a leak, a sanitizer report).
#   cmake -DFUZZER=... -DSEEDS=... -DWORK=... "-DARGS=-max_total_time=30;..." -P run_fuzz.cmake
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK})
file(COPY ${SEEDS}/ DESTINATION ${WORK}/corpus)
execute_process(COMMAND ${FUZZER} ${ARGS} -artifact_prefix=${WORK}/ ${WORK}/corpus
                WORKING_DIRECTORY ${WORK}
                RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${FUZZER} failed (${rc}); the input that did it is in ${WORK}")
endif()
