.output-san/tests/test_http: src/buf.h
