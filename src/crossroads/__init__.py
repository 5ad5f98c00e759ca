"""Crossroads: a permit-governed social-security data hub."""

__version__ = "0.1.0"
