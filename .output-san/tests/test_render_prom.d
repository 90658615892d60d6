.output-san/tests/test_render_prom: src/tree.h
