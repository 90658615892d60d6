.output-san/tests/test_kallsyms: src/kallsyms.h
