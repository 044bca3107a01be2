"""自治项目: self-governance projects with budget sources, contributions, spending, acceptance."""
