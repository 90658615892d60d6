.output-san/tests/test_tree: src/tree.h
