"""Benchmarks: what a run costs against the stack's own floor, and how it grows."""
