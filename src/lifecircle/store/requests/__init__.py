"""Residents' requests (一站式受理) with their status history."""
