"""Verifier plugins: test suites squall runs against an environment."""
