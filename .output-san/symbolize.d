.output-san/symbolize.o: src/symbolize.c src/symbolize.h src/frame_name.h \
 src/strtab.h src/elfsym.h src/perfmap.h src/procfs.h
src/symbolize.h:
src/frame_name.h:
src/strtab.h:
src/elfsym.h:
src/perfmap.h:
src/procfs.h:
