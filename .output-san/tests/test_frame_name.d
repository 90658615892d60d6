.output-san/tests/test_frame_name: src/frame_name.h
