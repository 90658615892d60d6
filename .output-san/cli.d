.output-san/cli.o: src/cli.c src/cli.h src/profiler.h src/buf.h \
 src/frame_name.h src/profile_view.h src/strtab.h src/tree.h \
 src/render_prom.h
src/cli.h:
src/profiler.h:
src/buf.h:
src/frame_name.h:
src/profile_view.h:
src/strtab.h:
src/tree.h:
src/render_prom.h:
