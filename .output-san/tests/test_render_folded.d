.output-san/tests/test_render_folded: src/tree.h
