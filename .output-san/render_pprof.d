.output-san/render_pprof.o: src/render_pprof.c src/render_pprof.h \
 src/buf.h src/profile_view.h src/strtab.h src/tree.h
src/render_pprof.h:
src/buf.h:
src/profile_view.h:
src/strtab.h:
src/tree.h:
