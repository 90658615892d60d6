.output-san/elfsym.o: src/elfsym.c src/elfsym.h
src/elfsym.h:
