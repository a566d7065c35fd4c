"""The package version (stdlib only, importable from every layer)."""

__version__ = "0.1.0.dev0"
