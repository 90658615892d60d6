.output-san/tests/test_perfmap: src/perfmap.h
