"""The GB/T 2260 table shipped with the package: coverage, Liaocheng, historical codes."""

from __future__ import annotations

from cityhub.registry.regions import Region, path, region, table

LIAOCHENG = {
    "371500": "聊城市",
    "371502": "东昌府区",
    "371503": "茌平区",
    "371521": "阳谷县",
    "371522": "莘县",
    "371524": "东阿县",
    "371525": "冠县",
    "371526": "高唐县",
    "371581": "临清市",
}


def test_liaocheng_is_complete_and_current() -> None:
    current = {c: r.name for c, r in table().items() if c.startswith("3715") and r.current}
    assert current == LIAOCHENG
    assert region("371502") == Region("371502", "东昌府区", "county", "371500", True)
    assert region("371500") == Region("371500", "聊城市", "prefecture", "370000", True)


def test_historical_codes_that_id_numbers_carry() -> None:
    assert region("371523") == Region("371523", "茌平县", "county", "371500", False)
    assert region("371501") == Region("371501", "市辖区", "county", "371500", False)
    assert region("372500") == Region("372500", "聊城地区", "prefecture", "370000", False)
    assert {c: r.name for c, r in table().items() if c.startswith("3725")} == {
        "372500": "聊城地区",
        "372501": "聊城市",
        "372502": "临清市",
        "372521": "聊城县",
        "372522": "阳谷县",
        "372523": "莘县",
        "372524": "茌平县",
        "372525": "东阿县",
        "372526": "冠县",
        "372527": "高唐县",
        "372528": "临清县",
    }
    assert region("371200") == Region("371200", "莱芜市", "prefecture", "370000", False)
    assert region("370116") == Region("370116", "莱芜区", "county", "370100", True)


def test_coverage() -> None:
    regions = table().values()
    provinces = [r for r in regions if r.level == "province"]
    assert len(provinces) == 34  # 31 on the mainland, 台湾, 香港, 澳门
    current = [r for r in regions if r.current]
    # the Ministry of Civil Affairs' list of 2024: 34 provinces, 333 prefectures, 2,846 counties
    assert len(current) == 3213
    assert sum(r.level == "prefecture" for r in current) == 333
    shandong = [r for r in current if r.code.startswith("37")]
    assert (sum(r.level == "prefecture" for r in shandong), len(shandong)) == (16, 153)


def test_every_parent_is_in_the_table() -> None:
    for code, entry in table().items():
        assert entry.code == code
        if entry.level == "province":
            assert entry.parent == "" and code.endswith("0000")
        else:
            assert region(entry.parent) is not None, code
            assert entry.parent[:2] == code[:2]


def test_path_climbs_to_the_province() -> None:
    assert [r.name for r in path("371502")] == ["东昌府区", "聊城市", "山东省"]
    assert path("999999") == []
