"""The benchmark harness behind scripts/bench: pushsdk against peer libraries, same run."""
