.output-san/render_flame.o: src/render_flame.c src/render_flame.h \
 src/buf.h src/profile_view.h src/strtab.h src/tree.h \
 .output-san/flame_assets.h
src/render_flame.h:
src/buf.h:
src/profile_view.h:
src/strtab.h:
src/tree.h:
.output-san/flame_assets.h:
