"""Server-rendered pages for staff and residents: one folder per concept, views only translate."""
