.output-san/tests/fuzz_procmaps.o: tests/fuzz/fuzz_procmaps.c \
 src/procfs.h
src/procfs.h:
