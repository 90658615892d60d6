.output-san/tests/fuzz_frame_name.o: tests/fuzz/fuzz_frame_name.c \
 src/frame_name.h
src/frame_name.h:
