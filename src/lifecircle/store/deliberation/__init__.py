"""公共议事: the household register, proposals with comments and supports, council meetings,
decisions with votes (owners' consent under the Civil Code) and their action items."""
