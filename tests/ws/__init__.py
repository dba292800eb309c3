"""Tests of pushsdk.WSClient against real servers on loopback."""
