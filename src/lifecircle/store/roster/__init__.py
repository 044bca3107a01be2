"""Three-party duty roster: rotations, assignments, holidays, swaps."""
