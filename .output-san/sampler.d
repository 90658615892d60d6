.output-san/sampler.o: src/sampler.c src/sampler.h bpf/profile.h \
 .output-san/profile.skel.h
src/sampler.h:
bpf/profile.h:
.output-san/profile.skel.h:
