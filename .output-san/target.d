.output-san/target.o: src/target.c src/target.h src/procfs.h src/strtab.h \
 src/symbolize.h src/frame_name.h src/tree.h
src/target.h:
src/procfs.h:
src/strtab.h:
src/symbolize.h:
src/frame_name.h:
src/tree.h:
