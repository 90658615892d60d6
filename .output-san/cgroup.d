.output-san/cgroup.o: src/cgroup.c src/cgroup.h
src/cgroup.h:
