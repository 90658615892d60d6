.output-san/tree.o: src/tree.c src/tree.h
src/tree.h:
