"""Self-contained HTML report and Excel / GeoPackage exports."""
