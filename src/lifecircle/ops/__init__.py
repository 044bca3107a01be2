"""Station operations: services, roster, requests, inspections, volunteers, surveys."""
