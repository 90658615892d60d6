.output-san/http.o: src/http.c src/http.h src/buf.h
src/http.h:
src/buf.h:
