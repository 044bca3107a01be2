"""Life-circle planning standards as data: levels, categories, thresholds, target groups, speeds.

Presets ship as TOML files in `presets/`; a user TOML file overrides any value of the preset it
names in its `base` key.
"""

from lifecircle.standards.load import PRESETS, load_standard
from lifecircle.standards.model import Category, Group, Level, Norm, Standard, StandardError

__all__ = [
    "Category",
    "Group",
    "Level",
    "Norm",
    "Standard",
    "StandardError",
    "PRESETS",
    "load_standard",
]
