.output-san/tests/fuzz_perfmap.o: tests/fuzz/fuzz_perfmap.c src/perfmap.h
src/perfmap.h:
