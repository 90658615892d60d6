.output-san/tests/test_strtab: src/strtab.h
