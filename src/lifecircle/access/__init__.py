"""Walking-distance accessibility engine: nearest facility, counts within thresholds, coverage."""
