.output-san/tests/test_procfs: src/procfs.h
