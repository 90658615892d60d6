.output-san/tests/fuzz_elfsym.o: tests/fuzz/fuzz_elfsym.c src/elfsym.h
src/elfsym.h:
