"""Differential fuzzer: random Brian scripts run on the runtime device and on
the GeNN device, compared exactly (see `compare`)."""
