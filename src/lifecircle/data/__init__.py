"""Import compounds, facilities and candidate sites; the in-memory Area dataset."""
