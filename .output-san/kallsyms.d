.output-san/kallsyms.o: src/kallsyms.c src/kallsyms.h
src/kallsyms.h:
