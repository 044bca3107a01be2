"""The small demo sub-district the page and voice tests seed: two stations under two committees,
enough to test that a committee sees only its own."""

from lifecircle.ops.demo import seed_demo

TWO_STATIONS = [
    {"name": "东安一村居委会睦邻点", "lat": 31.1954, "lon": 121.4557, "opening_hours": "8:30-17:00", "floor_area_m2": 120.0},
    {"name": "枫林佳苑居委会睦邻点", "lat": 31.1891, "lon": 121.4493, "opening_hours": "9:00-18:00", "floor_area_m2": 110.0},
]  # fmt: skip


def seed_two_stations():
    """Seed the demo (users, stations, voice records) on the two stations."""
    return seed_demo(TWO_STATIONS, "示意街道")
