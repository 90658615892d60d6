.output-san/profile_view.o: src/profile_view.c src/profile_view.h \
 src/strtab.h src/tree.h
src/profile_view.h:
src/strtab.h:
src/tree.h:
