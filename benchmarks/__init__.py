"""Benchmarks of brian2genn_bridge against Brian's cpp_standalone and brian2cuda
(see benchmarks/README.md)."""
