"""Volunteer teams, activities, sign-up and hours."""
