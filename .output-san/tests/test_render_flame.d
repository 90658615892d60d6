.output-san/tests/test_render_flame: src/tree.h
