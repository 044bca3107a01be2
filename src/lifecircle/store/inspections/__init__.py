"""Safety inspections, rectification orders, meetings and action items."""
