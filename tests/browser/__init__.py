"""Browser tests over the built site (a package, so its conftest does not shadow tests/conftest.py)."""
