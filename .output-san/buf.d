.output-san/buf.o: src/buf.c src/buf.h
src/buf.h:
