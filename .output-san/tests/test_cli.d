.output-san/tests/test_cli: src/render_prom.h src/buf.h src/strtab.h \
 src/tree.h
src/buf.h:
src/strtab.h:
src/tree.h:
