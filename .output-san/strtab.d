.output-san/strtab.o: src/strtab.c src/strtab.h
src/strtab.h:
