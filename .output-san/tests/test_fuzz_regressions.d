.output-san/tests/test_fuzz_regressions: tests/test_fuzz_regressions.c
