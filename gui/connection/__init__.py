"""One connection's engine: the pushsdk client adapter, its callbacks and the tab controller."""
