"""Seed the demo sub-district: units, stations, service catalogue, users per role, an Open311 key.

The stations are the residents' service stations of `lifecircle.data.demo` (illustrative, not
surveyed). Every demo user's password is DEMO_PASSWORD; the Open311 key is DEMO_API_KEY.
"""

from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction

from lifecircle.ops.access import Actor
from lifecircle.ops.audit import record
from lifecircle.ops.voice_demo import seed_voice
from lifecircle.store.inspections.models import ChecklistItem, ChecklistTemplate
from lifecircle.store.org.models import ApiKey, OrgUnit, Role, RoleGrant
from lifecircle.store.stations.models import (
    CatalogueItem,
    Room,
    ServiceAttribute,
    ServiceCategory,
    Station,
)
from lifecircle.store.volunteers.models import Team

DEMO_PASSWORD = "lifecircle-demo"
DEMO_API_KEY = "demo-open311-key"

# (code, 中文, English, group, SLA hours, warning hours, notice)
CATEGORIES = [
    (
        "repair",
        "公共设施报修",
        "Repair of shared facilities",
        "物业 property",
        72,
        24,
        "紧急漏水请拨物业24小时电话。",
    ),
    ("sanitation", "环境卫生", "Sanitation", "物业 property", 48, 12, ""),
    ("elderly_care", "为老服务", "Elderly care", "居委会 committee", 24, 6, ""),
    ("consultation", "政策咨询", "Consultation", "居委会 committee", 8, 2, ""),
    (
        "neighbour_dispute",
        "邻里纠纷调解",
        "Neighbour dispute mediation",
        "居委会 committee",
        120,
        24,
        "",
    ),
    ("owners_affairs", "业主事务", "Owners' affairs", "业委会 owners", 168, 48, ""),
]
CATALOGUE = [
    (
        "reception",
        "接待咨询 Reception and consultation",
        "周一至周六 8:30-17:00",
        "三方轮值",
        "consultation",
    ),
    ("legal", "法律咨询 Legal advice", "每周三 14:00-16:00", "社区律师", None),
    ("health", "健康检测 Health check", "每周二 9:00-11:00", "社区卫生服务中心", "elderly_care"),
    ("volunteer_culture", "读书会 Reading club", "每周五 19:00-20:30", "志愿者团队", None),
    ("featured", "物业报修 Repair desk", "每日 9:00-11:00", "物业", "repair"),
]
CHECKLISTS = {
    ChecklistTemplate.Kind.FOOD: (
        "食品安全检查 Food safety",
        ["持证经营、健康证齐全", "生熟分开、冷藏温度达标", "留样 48 小时", "餐具消毒记录完整"],
    ),
    ChecklistTemplate.Kind.FIRE: (
        "消防安全检查 Fire safety",
        ["灭火器在有效期内", "疏散通道畅通", "应急照明与标识完好", "无违规电动车充电"],
    ),
    ChecklistTemplate.Kind.BUILDING: (
        "房屋安全检查 Building safety",
        ["结构无明显裂缝", "外墙与吊顶无脱落风险", "无障碍设施完好"],
    ),
}


@dataclass
class Demo:
    """What the seed made, for the README, the pages and the tests."""

    subdistrict: OrgUnit
    committees: list[OrgUnit]
    stations: list[Station]
    users: dict[str, object] = field(default_factory=dict)
    api_key: str = DEMO_API_KEY


def _demo_stations() -> tuple[str, list[dict]]:
    from lifecircle.data.demo import DEMO_NAME, build_demo_area

    facilities = build_demo_area().facilities
    rows = facilities[facilities["category"] == "service_station"]
    return DEMO_NAME, [
        {
            "name": r["name"],
            "lat": round(float(r["lat"]), 6),
            "lon": round(float(r["lon"]), 6),
            "opening_hours": r["hours"],
            "floor_area_m2": float(r["floor_area"]),
        }
        for _, r in rows.iterrows()
    ]


def committee_name(station_name: str) -> str:
    """东安一村居委会睦邻点 → 东安一村居委会."""
    head, sep, _ = station_name.partition("居委会")
    return head + sep if sep else f"{station_name}居委会"


def seed_demo(stations: list[dict] | None = None, subdistrict_name: str | None = None) -> Demo:
    """Create the demo data in an empty database (idempotence is not attempted: it refuses)."""
    if OrgUnit.objects.exists():
        raise RuntimeError(
            "数据库已有数据，未写入演示数据 the database is not empty; demo not seeded"
        )
    if stations is None:
        subdistrict_name, stations = _demo_stations()
    User = get_user_model()
    with transaction.atomic():
        top = OrgUnit.objects.create(name=subdistrict_name, kind=OrgUnit.Kind.SUBDISTRICT)
        demo = Demo(subdistrict=top, committees=[], stations=[])

        # one hash for all: the password is published anyway, and hashing is slow on purpose
        hashed = make_password(DEMO_PASSWORD)

        def user(username: str, role: Role, unit: OrgUnit, **extra):
            person = User(username=username, password=hashed, **extra)
            person.save()
            RoleGrant.objects.create(user=person, unit=unit, role=role)
            demo.users[username] = person
            return person

        user("admin", Role.SUBDISTRICT_ADMIN, top, is_staff=True, is_superuser=True)
        user("jiedao", Role.SUBDISTRICT_ADMIN, top)
        user("anquan", Role.SAFETY_INSPECTOR, top)
        user("zhiyuan", Role.VOLUNTEER, top)
        user("jumin1", Role.RESIDENT, top)
        user("jumin2", Role.RESIDENT, top)
        categories = {}
        for code, zh, en, group, sla, warn, notice in CATEGORIES:
            categories[code] = ServiceCategory.objects.create(
                code=code,
                name_zh=zh,
                name_en=en,
                group=group,
                sla_hours=sla,
                warning_hours=warn,
                notice=notice,
                keywords=zh,
            )
        ServiceAttribute.objects.create(
            category=categories["repair"],
            code="place",
            datatype="singlevaluelist",
            description="位置 Where",
            required=True,
            order=1,
            values=[
                {"key": "shared", "name": "公共部位 shared parts"},
                {"key": "home", "name": "户内 inside a home"},
            ],
        )
        for i, spec in enumerate(stations, start=1):
            committee = OrgUnit.objects.create(
                name=committee_name(spec["name"]), kind=OrgUnit.Kind.COMMITTEE, parent=top
            )
            unit = OrgUnit.objects.create(
                name=spec["name"], kind=OrgUnit.Kind.STATION, parent=committee
            )
            station = Station.objects.create(
                unit=unit,
                functions=["service_station"],
                address=f"{committee.name}（示意 illustrative）",
                phone=f"021-5555-{i:04d}",  # illustrative
                **spec,
            )
            for kind, title, schedule, provider, code in CATALOGUE:
                CatalogueItem.objects.create(
                    station=station,
                    kind=kind,
                    title=title,
                    schedule=schedule,
                    provider=provider,
                    category=categories[code] if code else None,
                )
            Room.objects.create(station=station, name="多功能活动室 Activity room", capacity=30)
            Room.objects.create(station=station, name="议事室 Meeting room", capacity=12)
            user(f"juwei{i}", Role.COMMITTEE_STAFF, committee)
            user(f"yewei{i}", Role.OWNERS_COMMITTEE, committee)
            user(f"wuye{i}", Role.PROPERTY_STAFF, committee)
            demo.committees.append(committee)
            demo.stations.append(station)
        for kind, (name, items) in CHECKLISTS.items():
            template = ChecklistTemplate.objects.create(kind=kind, name=name)
            for order, text in enumerate(items, start=1):
                ChecklistItem.objects.create(template=template, order=order, text=text)
        team = Team.objects.create(unit=top, name="睦邻志愿服务队 Neighbourhood volunteers")
        team.members.add(demo.users["zhiyuan"])
        key, _ = ApiKey.issue(name="open311-demo", unit=top, secret=DEMO_API_KEY)
        record(
            Actor(demo.users["admin"]),
            "demo.seed",
            top,
            before=None,
            unit=top,
            note=f"api key {key.name}",
        )
        seed_voice(demo)
    return demo
