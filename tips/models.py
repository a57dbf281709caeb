"""tips tables (filled in by the tips domain)."""
