.output-san/tests/fuzz_render_prom.o: tests/fuzz/fuzz_render_prom.c \
 src/buf.h src/frame_name.h src/render_prom.h src/buf.h src/strtab.h \
 src/tree.h src/strtab.h src/tree.h
src/buf.h:
src/frame_name.h:
src/render_prom.h:
src/buf.h:
src/strtab.h:
src/tree.h:
src/strtab.h:
src/tree.h:
