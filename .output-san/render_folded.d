.output-san/render_folded.o: src/render_folded.c src/render_folded.h \
 src/buf.h src/profile_view.h src/strtab.h src/tree.h
src/render_folded.h:
src/buf.h:
src/profile_view.h:
src/strtab.h:
src/tree.h:
