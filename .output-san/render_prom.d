.output-san/render_prom.o: src/render_prom.c src/render_prom.h src/buf.h \
 src/strtab.h src/tree.h
src/render_prom.h:
src/buf.h:
src/strtab.h:
src/tree.h:
