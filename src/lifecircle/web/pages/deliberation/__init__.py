"""公共议事: proposals, supports, comments, decisions and their action items in public."""
