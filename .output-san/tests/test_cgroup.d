.output-san/tests/test_cgroup: src/cgroup.h
