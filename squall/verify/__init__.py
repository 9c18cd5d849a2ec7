"""Verifications: run a functional test suite (Tempest, pytest, JUnit or subunit) and keep every result."""
