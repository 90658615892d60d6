.output-san/tests/test_elfsym: src/frame_name.h
