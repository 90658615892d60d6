.output-san/main.o: src/main.c src/cli.h src/profiler.h src/buf.h \
 src/frame_name.h src/profile_view.h src/strtab.h src/tree.h \
 src/render_prom.h src/http.h src/procfs.h src/sampler.h
src/cli.h:
src/profiler.h:
src/buf.h:
src/frame_name.h:
src/profile_view.h:
src/strtab.h:
src/tree.h:
src/render_prom.h:
src/http.h:
src/procfs.h:
src/sampler.h:
