.output-san/procfs.o: src/procfs.c src/procfs.h
src/procfs.h:
