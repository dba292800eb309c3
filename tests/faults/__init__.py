"""Fault-injection tests: a TCP proxy that breaks connections, soaks and a bad-input matrix."""
