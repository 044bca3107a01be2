"""Surveys: the public answer page (link or QR), results with charts, exports, staff tools."""
