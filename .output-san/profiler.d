.output-san/profiler.o: src/profiler.c src/profiler.h src/buf.h \
 src/frame_name.h src/profile_view.h src/strtab.h src/tree.h \
 src/render_prom.h src/elfsym.h src/kallsyms.h src/procfs.h \
 src/render_flame.h src/render_folded.h src/render_pprof.h src/sampler.h \
 src/symbolize.h src/target.h
src/profiler.h:
src/buf.h:
src/frame_name.h:
src/profile_view.h:
src/strtab.h:
src/tree.h:
src/render_prom.h:
src/elfsym.h:
src/kallsyms.h:
src/procfs.h:
src/render_flame.h:
src/render_folded.h:
src/render_pprof.h:
src/sampler.h:
src/symbolize.h:
src/target.h:
