.output-san/tests/test_render_pprof: src/tree.h
