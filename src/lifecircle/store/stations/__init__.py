"""Stations and their service catalogue (服务清单), shaped like Open311 services."""
