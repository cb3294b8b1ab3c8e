"""The console's routers (one module per page family)."""
