"""The click command-line layer: thin wrappers over the core."""
