.output-san/tests/test_profile_view: src/tree.h
