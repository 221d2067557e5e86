"""Local fake platform servers for connector tests (real HTTP over loopback)."""
