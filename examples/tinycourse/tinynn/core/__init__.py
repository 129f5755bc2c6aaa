"""Core building blocks, one submodule per course module (exported by nbdev)."""
