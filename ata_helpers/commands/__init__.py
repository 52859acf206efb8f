"""Subcommands of the `ata-helpers` CLI, one module per feature."""
