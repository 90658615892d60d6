.output-san/frame_name.o: src/frame_name.c src/frame_name.h
src/frame_name.h:
