"""Owners' joint decisions under the Civil Code (民法典) art. 278, counted exactly.

Participation: owners holding at least 2/3 of the exclusive floor area AND at least 2/3 of the
owners by head take part. Approval: more than half of the participating area and of the
participating owners; for items 6–8 (raising maintenance funds; rebuilding or altering buildings
and their facilities; changing the use of common parts or using them for business) at least 3/4
of both. Item 5 (using maintenance funds) and the others need the simple majority. Abstentions
take part but do not approve. Fractions are exact (no floating point at the edges).
"""

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

QUALIFIED_ITEMS = frozenset({6, 7, 8})
ITEMS = {
    1: "制定和修改业主大会议事规则 rules of procedure",
    2: "制定和修改管理规约 management statute",
    3: "选举业主委员会或者更换业主委员会成员 elect the owners' committee",
    4: "选聘和解聘物业服务企业或者其他管理人 hire or dismiss the property manager",
    5: "使用建筑物及其附属设施的维修资金 use maintenance funds",
    6: "筹集建筑物及其附属设施的维修资金 raise maintenance funds",
    7: "改建、重建建筑物及其附属设施 rebuild or alter buildings and facilities",
    8: "改变共有部分的用途或者利用共有部分从事经营活动 change the use of common parts",
    9: "有关共有和共同管理权利的其他重大事项 other major matters",
}
VOTES = ("for", "against", "abstain")


class ConsentError(ValueError):
    """The register or the votes cannot be counted (bad item, area or vote); names the owner."""


@dataclass(frozen=True)
class ConsentResult:
    item: int
    total_area: Fraction
    total_heads: int
    participating_area: Fraction
    participating_heads: int
    for_area: Fraction
    for_heads: int
    quorum: bool
    passed: bool
    rule: str

    @property
    def participation_area_share(self) -> float:
        return float(self.participating_area / self.total_area) if self.total_area else 0.0

    @property
    def participation_head_share(self) -> float:
        return self.participating_heads / self.total_heads if self.total_heads else 0.0

    @property
    def approval_area_share(self) -> float:
        return float(self.for_area / self.participating_area) if self.participating_area else 0.0

    @property
    def approval_head_share(self) -> float:
        return self.for_heads / self.participating_heads if self.participating_heads else 0.0


def _fraction(value) -> Fraction:
    if isinstance(value, float):
        value = Decimal(str(value))
    return Fraction(value)


def count_consent(register: list[tuple[str, object, str | None]], item: int) -> ConsentResult:
    """Count an owners' decision from the household register.

    `register` holds every owner (household) of the area: (label, exclusive floor area m²,
    vote) with vote "for", "against", "abstain", or None for an owner who did not take part.

    Example
    -------
    >>> r = count_consent([("1-101", 90, "for"), ("1-102", 60, "for"), ("1-103", 50, None)], 4)
    >>> r.quorum, r.passed
    (True, True)
    """
    if item not in ITEMS:
        raise ConsentError(f"事项应为第1–9项 item must be 1–9, got {item!r}")
    if not register:
        raise ConsentError("业主名册为空 the household register is empty")
    total_area = Fraction(0)
    part_area = for_area = Fraction(0)
    part_heads = for_heads = 0
    for label, area, vote in register:
        a = _fraction(area)
        if a <= 0:
            raise ConsentError(f"{label}: 专有部分面积应大于0 floor area must be > 0")
        if vote is not None and vote not in VOTES:
            raise ConsentError(f"{label}: 表决应为 for/against/abstain, got {vote!r}")
        total_area += a
        if vote is not None:
            part_area += a
            part_heads += 1
            if vote == "for":
                for_area += a
                for_heads += 1
    heads = len(register)
    two_thirds = Fraction(2, 3)
    quorum = part_area >= two_thirds * total_area and part_heads >= two_thirds * heads
    if item in QUALIFIED_ITEMS:
        rule = "≥3/4"
        approved = (
            for_area >= Fraction(3, 4) * part_area and for_heads >= Fraction(3, 4) * part_heads
        )
    else:
        rule = ">1/2"
        approved = for_area > part_area / 2 and for_heads > Fraction(part_heads, 2)
    return ConsentResult(
        item=item,
        total_area=total_area,
        total_heads=heads,
        participating_area=part_area,
        participating_heads=part_heads,
        for_area=for_area,
        for_heads=for_heads,
        quorum=quorum,
        passed=quorum and approved and part_heads > 0,
        rule=rule,
    )
