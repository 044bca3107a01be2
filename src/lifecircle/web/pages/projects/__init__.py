"""自治项目: projects and their public account."""
