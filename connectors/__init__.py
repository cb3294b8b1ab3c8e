"""Adapters to outside systems; the only code that talks to them."""
