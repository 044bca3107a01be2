"""The Standard in force: what counts as reachable, for whom."""

from dataclasses import dataclass, field

from lifecircle.errors import InputError


class StandardError(InputError):
    """A standard file is missing a value or has a wrong one."""


@dataclass(frozen=True)
class Level:
    """A life-circle level (5/10/15-minute) with its walking distance."""

    code: str
    name_zh: str
    name_en: str
    distance_m: float
    minutes: float
    population_min: int = 0
    population_max: int = 0


@dataclass(frozen=True)
class Group:
    """A target group and the compound column holding its head count."""

    code: str
    name_zh: str
    name_en: str
    column: str
    speed_m_per_min: float


@dataclass(frozen=True)
class Category:
    """A facility category: its level, walking threshold, target group and hub floor area."""

    code: str
    name_zh: str
    name_en: str
    level: str
    threshold_m: float
    group: str
    hub_function: bool = False
    floor_area_m2: float = 0.0
    aliases: tuple[str, ...] = ()
    source: str = ""

    def minutes(self, speed_m_per_min: float) -> float:
        """Walking minutes to the threshold at the given speed."""
        return self.threshold_m / speed_m_per_min


@dataclass(frozen=True)
class Norm:
    """A 千人指标-style supply norm: `amount` of `quantity` per `per` units of `basis`.

    quantity is "floor_area_m2" (building or site area, m²) or "places" (seats, beds, places);
    basis is a group code (its head count) or "households". `flag` is "C" (confirmed from a found
    text) or "R" (recalled; check before relying on it).
    """

    category: str
    quantity: str
    amount: float
    per: float
    basis: str
    flag: str
    source: str = ""

    def required(self, basis_count):
        """The supply the norm asks for a given head count (or household count) of its basis."""
        return self.amount * basis_count / self.per


@dataclass(frozen=True)
class Standard:
    """A complete standard: levels, groups, categories, and the hub rule."""

    name: str
    title_zh: str
    title_en: str
    levels: dict[str, Level]
    groups: dict[str, Group]
    categories: dict[str, Category]
    hub_rule: dict = field(default_factory=dict)
    norms: dict[str, Norm] = field(default_factory=dict)

    def category(self, code: str) -> Category:
        """The category with this code, or a StandardError naming the known codes."""
        try:
            return self.categories[code]
        except KeyError:
            known = ", ".join(sorted(self.categories))
            raise StandardError(
                f"未知类别 unknown category {code!r}; 标准 {self.name} 中的类别: {known}"
            ) from None

    def threshold_m(self, code: str) -> float:
        """Walking threshold in metres for a category code."""
        return self.category(code).threshold_m

    def level_distances(self) -> list[float]:
        """The life-circle level distances, ascending (e.g. 300, 500, 1000 m)."""
        return sorted(level.distance_m for level in self.levels.values())
