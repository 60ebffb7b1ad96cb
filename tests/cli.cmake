# CLI tests: every subcommand on the examples, plus the failure paths
# (a wrong expectation must exit non-zero naming its line).
set(VSMMU_CLI_EXPECT ${CMAKE_CURRENT_SOURCE_DIR}/cli/expect.cmake)
set(VSMMU_EXAMPLES ${PROJECT_SOURCE_DIR}/examples)

function(vsmmu_cli_test name)
  add_test(NAME ${name} COMMAND $<TARGET_FILE:vsmmu> ${ARGN})
  set_tests_properties(${name} PROPERTIES TIMEOUT 120)
endfunction()

# exit status + output regex: vsmmu_cli_expect(NAME EXIT REGEX ARGS...)
function(vsmmu_cli_expect name exit regex)
  add_test(NAME ${name} COMMAND ${CMAKE_COMMAND} -DEXIT=${exit} -DMATCH=${regex}
           -P ${VSMMU_CLI_EXPECT} -- $<TARGET_FILE:vsmmu> ${ARGN})
  set_tests_properties(${name} PROPERTIES TIMEOUT 120)
endfunction()

# --help on every subcommand
foreach(sub demo run explain bench profiles)
  vsmmu_cli_expect(cli_help_${sub} 0 "usage: vsmmu ${sub}" ${sub} --help)
endforeach()
vsmmu_cli_expect(cli_help 0 "usage: vsmmu <command>" --help)
vsmmu_cli_expect(cli_unknown_command 2 "unknown command" frobnicate)

# demo: default, every profile, JSON
vsmmu_cli_expect(cli_demo 0 "demo: all checks passed" demo --size 10)
foreach(p full-v3.2 full-v3.3 qemu-v3.1 minimal-v3.0)
  vsmmu_cli_expect(cli_demo_${p} 0 "demo: all checks passed" demo --profile ${p} --size 5 --seed 7)
endforeach()
vsmmu_cli_expect(cli_demo_json 0 "\"passed\": true" demo --json --size 5)
# --strict: every phase must run (skips only where the profile lacks a feature)
vsmmu_cli_expect(cli_demo_strict 0 "demo: all checks passed" demo --strict --size 5)
vsmmu_cli_expect(cli_demo_bad_profile 2 "unknown profile" demo --profile nosuch)

# run: the examples that pass on this model
set(VSMMU_CLI_EXAMPLES stage1 nested hugepage-1g pasid faults cmdq-errors accel-msi stall httu registers granules va-ranges invalidation interrupts evtq-overflow)
foreach(ex ${VSMMU_CLI_EXAMPLES})
  vsmmu_cli_expect(cli_run_${ex} 0 "passed" run ${VSMMU_EXAMPLES}/${ex}.vsmmu)
endforeach()
vsmmu_cli_expect(cli_run_bypass 0 "passed" run ${CMAKE_CURRENT_SOURCE_DIR}/cli/bypass.vsmmu)
vsmmu_cli_expect(cli_run_json 0 "\"passed\": true" run --json ${CMAKE_CURRENT_SOURCE_DIR}/cli/bypass.vsmmu)
# failure paths: the line number and the field in the message, exit 1 / 2
vsmmu_cli_expect(cli_run_wrong_expect 1 "wrong-expect.vsmmu:8: dma: field 'expect': expected output 0x3000, got output 0x2000"
                 run ${CMAKE_CURRENT_SOURCE_DIR}/cli/wrong-expect.vsmmu)
vsmmu_cli_expect(cli_run_syntax_error 2 "syntax-error.vsmmu:4: map: field 'perm'"
                 run ${CMAKE_CURRENT_SOURCE_DIR}/cli/syntax-error.vsmmu)
vsmmu_cli_expect(cli_run_missing_file 2 "No such file" run ${CMAKE_CURRENT_SOURCE_DIR}/cli/nosuch.vsmmu)

# explain: registers only (GBPA bypass) and from a scenario's state
vsmmu_cli_expect(cli_explain_gbpa 0 "output address 0x1234"
                 explain --reg GBPA=0 --sid 3 --addr 0x1234 --write)
vsmmu_cli_expect(cli_explain_gbpa_abort 0 "=> abort"
                 explain --reg GBPA=0x100000 --sid 3 --addr 0x1234)
vsmmu_cli_expect(cli_explain_scenario 0 "output address 0x5000"
                 explain --scenario ${CMAKE_CURRENT_SOURCE_DIR}/cli/bypass.vsmmu --sid 1 --addr 0x5000)
vsmmu_cli_expect(cli_explain_json 0 "\"outcome\": \"ok\""
                 explain --json --reg GBPA=0 --sid 3 --addr 0x1234)
vsmmu_cli_expect(cli_explain_nested 0 "=> output address 0x200000010  perm rw"
                 explain --scenario ${VSMMU_EXAMPLES}/nested.vsmmu --sid 5 --addr 0x10010 --write)
vsmmu_cli_expect(cli_explain_fault 0 "=> abort with F_PERMISSION"
                 explain --scenario ${VSMMU_EXAMPLES}/stage1.vsmmu --sid 8 --addr 0x20010 --write)
# from a raw memory image: a scenario saves one (fixture), explain loads it
add_test(NAME cli_explain_image_setup COMMAND $<TARGET_FILE:vsmmu> run ${CMAKE_CURRENT_SOURCE_DIR}/cli/image.vsmmu)
set_tests_properties(cli_explain_image_setup PROPERTIES FIXTURES_SETUP cli_image)
vsmmu_cli_expect(cli_explain_image 0 "CD @0x4000a000.*S1 L3 descriptor.*=> output address 0x80000010"
                 explain --mem 0x40000000:cli-image.bin --reg STRTAB_BASE=0x40000000
                 --reg STRTAB_BASE_CFG=0x8 --sid 8 --addr 0x10010)
set_tests_properties(cli_explain_image PROPERTIES FIXTURES_REQUIRED cli_image)
vsmmu_cli_expect(cli_explain_image_json 0 "\"kind\": \"ste\""
                 explain --json --mem 0x40000000:cli-image.bin --reg STRTAB_BASE=0x40000000
                 --reg STRTAB_BASE_CFG=0x8 --sid 8 --addr 0x10010)
set_tests_properties(cli_explain_image_json PROPERTIES FIXTURES_REQUIRED cli_image)
vsmmu_cli_expect(cli_explain_missing 2 "--sid and --addr are required" explain --addr 0x1000)

# bench: the suite's own quick mode when the bench library is built in
# (the top-level CMakeLists links it into the CLI; builds with
# VSMMU_BENCH=OFF get a CLI that says so).
if(TARGET vsmmu_bench)
  vsmmu_cli_expect(cli_bench_quick 0 "\\{" bench --quick --json)
endif()

# more malformed files: each names its line and what is wrong (exit 2)
vsmmu_cli_expect(cli_run_bad_statement 2 "bad-statement.vsmmu:3: frobnicate: unknown statement"
                 run ${CMAKE_CURRENT_SOURCE_DIR}/cli/bad-statement.vsmmu)
vsmmu_cli_expect(cli_run_bad_cmd_field 2 "bad-cmd-field.vsmmu:4: cmd: 'ASID' is not a field of CMD_CFGI_STE"
                 run ${CMAKE_CURRENT_SOURCE_DIR}/cli/bad-cmd-field.vsmmu)
vsmmu_cli_expect(cli_run_bad_name 2 "bad-name.vsmmu:3: write64: field 'ADDR': unknown name '.nowhere'"
                 run ${CMAKE_CURRENT_SOURCE_DIR}/cli/bad-name.vsmmu)
vsmmu_cli_expect(cli_run_bad_config_order 2 "bad-config-order.vsmmu:4: config: must come before"
                 run ${CMAKE_CURRENT_SOURCE_DIR}/cli/bad-config-order.vsmmu)
vsmmu_cli_expect(cli_run_bad_config_field 2 "bad-config-field.vsmmu:2: config: unknown config field 'rill'"
                 run ${CMAKE_CURRENT_SOURCE_DIR}/cli/bad-config-field.vsmmu)

# small commands
vsmmu_cli_expect(cli_profiles 0 "full-v3.2.*qemu-v3.1.*minimal-v3.0" profiles)
vsmmu_cli_expect(cli_version 0 "vsmmu [0-9]+\\.[0-9]+" version)
vsmmu_cli_expect(cli_help_topic 0 "usage: vsmmu run" help run)
vsmmu_cli_expect(cli_run_stats 0 "descriptor reads.*commands" run --stats ${VSMMU_EXAMPLES}/stage1.vsmmu)
vsmmu_cli_expect(cli_run_verbose 0 "init: 2-level stream table.*event F_PERMISSION"
                 run -v ${VSMMU_EXAMPLES}/stage1.vsmmu)
vsmmu_cli_expect(cli_demo_bad_size 2 "--size" demo --size 0)
vsmmu_cli_expect(cli_run_numbers 0 "passed" run ${CMAKE_CURRENT_SOURCE_DIR}/cli/numbers.vsmmu)
vsmmu_cli_expect(cli_run_wrong_event 1 "wrong-event.vsmmu:14: event: field 'RnW': expected 0x1, the event has 0x0"
                 run ${CMAKE_CURRENT_SOURCE_DIR}/cli/wrong-event.vsmmu)
vsmmu_cli_expect(cli_run_explain_failure 1 "wrong-expect.vsmmu:8: the failed transaction, explained.*=> output address 0x2000"
                 run --explain ${CMAKE_CURRENT_SOURCE_DIR}/cli/wrong-expect.vsmmu)
vsmmu_cli_expect(cli_demo_threads 0 "dpdk, 2 threads +ok.*demo: all checks passed" demo --threads 2 --size 5)
vsmmu_cli_expect(cli_explain_pasid 0 "L1STD @.*STE @.*S1Fmt=2lvl-64k.*L1CD @.*CD @.*=> abort with C_BAD_CD"
                 explain --scenario ${VSMMU_EXAMPLES}/pasid.vsmmu --sid 5 --ssid 0x5a4 --addr 0x1fff)
vsmmu_cli_expect(cli_explain_pasid_ok 0 "translation cache hit.*configuration cache hit.*=> output address 0x80001fff.*cached"
                 explain --cached --scenario ${VSMMU_EXAMPLES}/pasid.vsmmu --sid 5 --ssid 0x5a5 --addr 0x1fff)
vsmmu_cli_expect(cli_explain_pasid_walk 0 "L1CD @.*CD @.*S1 L3 descriptor.*=> output address 0x80001fff"
                 explain --scenario ${VSMMU_EXAMPLES}/pasid.vsmmu --sid 5 --ssid 0x5a5 --addr 0x1fff)
vsmmu_cli_expect(cli_explain_bad_mem 2 "--mem: .*nosuch.bin: No such file"
                 explain --mem 0x40000000:nosuch.bin --sid 1 --addr 0)
vsmmu_cli_expect(cli_explain_bad_reg 2 "--reg: unknown register 'CR9'"
                 explain --reg CR9=1 --sid 1 --addr 0)
vsmmu_cli_expect(cli_explain_bad_scenario 2 "syntax-error.vsmmu:4: map: field 'perm'.*explaining against the state reached at line 4"
                 explain --scenario ${CMAKE_CURRENT_SOURCE_DIR}/cli/syntax-error.vsmmu --sid 1 --addr 0)
foreach(seed 2 3 12345)
  vsmmu_cli_expect(cli_demo_seed_${seed} 0 "demo: all checks passed" demo --strict --size 5 --seed ${seed})
endforeach()
