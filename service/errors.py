"""Errors of configuration and infrastructure, turned into one clear line by the CLI."""

from __future__ import annotations


class ConfigurationError(Exception):
    """Bad or unusable configuration; the CLI prints the message and exits 2."""


class DatabaseUnavailable(ConfigurationError):
    """The PostgreSQL server cannot be reached."""
