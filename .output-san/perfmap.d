.output-san/perfmap.o: src/perfmap.c src/perfmap.h
src/perfmap.h:
