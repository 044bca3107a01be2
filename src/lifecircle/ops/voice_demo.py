"""Demo data for residents' voice: a household register, one needs survey with answers, one
proposal decided by the owners (Civil Code art. 278) with action items, one co-funded
self-governance project (residents 70%) linked to a station. Illustrative, not surveyed."""

from datetime import timedelta
from decimal import Decimal

import numpy as np
from django.utils import timezone

from lifecircle.ops import deliberation, projects, surveys
from lifecircle.ops.access import Actor
from lifecircle.ops.survey_form import Choice, Form, Question

SERVICES = [
    ("canteen", "社区食堂/助餐点"),
    ("elderly_daycare", "老年人日间照料中心"),
    ("nursery", "托育点"),
    ("health_station", "社区卫生服务站"),
    ("culture_station", "文化活动站"),
    ("after_school", "课后托管点"),
]
# Four compounds of the demo sub-district (`lifecircle.data.demo`): id, name, population, 60+.
COMPOUNDS = [
    ("C01", "枫林新村", 3200, 1380),
    ("C02", "宛南小区", 1500, 520),
    ("C03", "零陵一村", 1600, 580),
    ("C04", "枫林佳苑", 2400, 480),
]
AGES = [("under_60", "60岁以下"), ("pop_60_plus", "60岁及以上")]
# What each age group tends to ask for (probabilities of ticking each service, in SERVICES order).
WANTS = {
    "under_60": [0.30, 0.15, 0.45, 0.35, 0.30, 0.50],
    "pop_60_plus": [0.75, 0.60, 0.05, 0.55, 0.35, 0.05],
}


def demo_form(compounds: list[tuple[str, str]]) -> Form:
    """The needs questionnaire of the demo (also a sample XLSForm to export)."""

    def choices(pairs):
        return [Choice(n, label) for n, label in pairs]

    return Form(
        title="社区服务需求调查 Needs survey",
        form_id="needs_demo",
        version="1",
        questions=[
            Question("select_one", "age_group", "您的年龄段 Your age group", "ages", True, choices=choices(AGES)),
            Question("select_one", "compound_id", "您住在哪个小区 Your compound", "compounds", True, choices=choices(compounds)),
            Question("select_multiple", "wanted", "您最需要哪些服务（可多选）Which services do you need most?", "services", True, choices=choices(SERVICES)),
            Question("rank", "top3", "请排出最需要的前三项 Rank your top three", "services", choices=choices(SERVICES)),
            Question("range", "satisfaction", "对现有驿站的满意度 Satisfaction with the station (1–5)", parameters="start=1 end=5 step=1"),
            Question("select_one", "uses_canteen", "是否会去社区食堂 Would you use a canteen?", "yes_no", relevant="${age_group} = 'pop_60_plus'", choices=choices([("yes", "是 yes"), ("no", "否 no")])),
            Question("text", "comment", "其他建议 Other suggestions"),
        ],
    )  # fmt: skip


COMMENTS = [
    "希望食堂能送餐上门",
    "楼下缺少托育点",
    "",
    "活动室晚上开放就好了",
    "",
    "希望有助浴服务",
    "",
]


def seed_voice(demo) -> None:
    """Seed the voice features on top of `ops.demo.seed_demo` (called from there)."""
    staff = Actor(demo.users["juwei1"])
    admin = Actor(demo.users["jiedao"])
    committee = demo.committees[0]
    pairs = [(cid, name) for cid, name, _, _ in COMPOUNDS]
    population = [
        {"compound_id": cid, "under_60": total - old, "pop_60_plus": old}
        for cid, _, total, old in COMPOUNDS
    ]
    register = [
        {
            "code": f"{b}-{f}0{u}",
            "floor_area_m2": str(area),
            "compound_id": pairs[0][0],
            "address": f"{b}号楼{f}0{u}室",
        }
        for b in (1, 2, 3)
        for f in (1, 2, 3)
        for u, area in ((1, 62.5), (2, 48.0))
    ]
    deliberation.register_households(staff, committee.pk, register)

    now = timezone.now()
    form = demo_form(pairs)
    survey = surveys.create_survey(
        admin, demo.subdistrict.pk, form, now - timedelta(days=14), now + timedelta(days=14),
        services_question="wanted", population=population,
    )  # fmt: skip
    rng = np.random.default_rng(278)
    for n in range(24):
        age = "pop_60_plus" if rng.random() < 0.6 else "under_60"  # older residents answer more
        picks = [s for (s, _), p in zip(SERVICES, WANTS[age], strict=True) if rng.random() < p]
        picks = picks or [SERVICES[int(rng.integers(len(SERVICES)))][0]]
        order = sorted(picks, key=lambda s: -WANTS[age][[x for x, _ in SERVICES].index(s)])[:3]
        answers = {
            "age_group": age,
            "compound_id": pairs[n % len(pairs)][0],
            "wanted": " ".join(picks),
            "top3": " ".join(order),
            "satisfaction": str(int(rng.integers(2, 6))),
            "uses_canteen": "yes" if rng.random() < 0.7 else "no",
            "comment": COMMENTS[n % len(COMMENTS)],
        }
        if n < 12:  # homes of the register (1-101 … 2-302): online by household code or on paper
            channel = "paper" if n % 4 == 0 else "online"
            surveys.submit_answer(
                survey,
                answers,
                actor=staff,
                household_code=register[n]["code"],
                channel=channel,
                now=now,
            )
        else:  # door to door, the phone noted by the visiting staff
            surveys.submit_answer(
                survey, answers, actor=staff, phone=f"139{n:08d}", channel="door", now=now
            )

    resident = Actor(demo.users["jumin1"])
    proposal = deliberation.create_proposal(
        resident, committee.pk, title="把1号楼门卫室改造为睦邻驿站 Turn the gatehouse into a station",
        body="门卫室闲置多年，希望改成老人能坐一坐、取快递、量血压的地方。", place="1号楼东侧门卫室",
    )  # fmt: skip
    deliberation.comment(staff, proposal.pk, "已列入下月议事会议程 on next month's council agenda")
    for code in ("1-101", "1-102", "2-201"):
        deliberation.support(resident, proposal.pk, code)
    council = deliberation.hold_council(
        staff, committee.pk, held_on=timezone.localdate() - timedelta(days=7),
        title="居民议事会 Residents' council", agenda="1. 门卫室改造 gatehouse renovation",
        attendance=["居委会 3 人", "业委会 2 人", "物业 1 人", "居民代表 6 人"],
        minutes="讨论门卫室改造方案并由业主表决（改变共有部分用途，民法典第278条第8项）。",
    )  # fmt: skip
    votes = {h["code"]: "for" for h in register[:14]}
    votes[register[14]["code"]] = "against"
    decision = deliberation.decide(
        staff, council.pk, title="同意门卫室改造为睦邻驿站 Gatehouse becomes a station",
        proposal_id=proposal.pk, civil_code_item=8, owner_votes=votes,
        actions=[
            {"text": "出具改造设计方案 design drawings", "owner_party": "committee", "due": timezone.localdate() + timedelta(days=14)},
            {"text": "物业腾空门卫室 clear the gatehouse", "owner_party": "property", "due": timezone.localdate() + timedelta(days=7)},
        ],
    )  # fmt: skip

    project = projects.create_project(
        staff, committee.pk, title="门卫室睦邻驿站自治项目 Gatehouse station project",
        description="居民自筹七成、自治金两成、街道一成，改造门卫室。", station_id=demo.stations[0].pk,
    )  # fmt: skip
    projects.consult(staff, project.pk, survey_id=survey.pk, decision_id=decision.pk)
    projects.set_budget(
        staff, project.pk,
        {"residents": Decimal("35000"), "grant": Decimal("10000"), "subdistrict": Decimal("5000")},
    )  # fmt: skip
    today = timezone.localdate()
    for n, h in enumerate(register[:8]):
        projects.add_contribution(
            staff, project.pk, source="residents", amount=Decimal("3000"), receipt_no=f"ZC-{n + 1:03d}",
            received_on=today - timedelta(days=5), household_code=h["code"],
        )  # fmt: skip
    projects.add_contribution(
        staff, project.pk, source="grant", amount=Decimal("10000"), receipt_no="ZZJ-2026-01",
        received_on=today - timedelta(days=4), contributor="街道自治金 grant",
    )  # fmt: skip
    projects.add_expense(
        staff, project.pk, description="墙面与地面翻新 walls and floor", payee="示意装修队",
        amount=Decimal("18600"), spent_on=today - timedelta(days=2), evidence="发票 No. 00012345",
    )  # fmt: skip
