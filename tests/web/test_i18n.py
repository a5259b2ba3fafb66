"""Every UI string is in both catalogs; templates use only ids that exist."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from cityhub.web.i18n import LANGUAGES, catalog
from cityhub.web.pages.render import NAVIGATION

TEMPLATES = Path(__file__).parents[2] / "src" / "cityhub" / "web" / "templates"
LITERAL_ID = re.compile(r"""\bt\(\s*["']([a-z_.0-9-]+)["']\s*[,)]""")


def test_catalogs_have_the_same_ids() -> None:
    zh, en = (set(catalog(language)) for language in LANGUAGES)
    assert zh == en


@pytest.mark.parametrize("template", sorted(TEMPLATES.glob("*.html")), ids=lambda p: p.name)
def test_template_ids_exist(template: Path) -> None:
    used = set(LITERAL_ID.findall(template.read_text(encoding="utf-8")))
    assert used - set(catalog("zh-CN")) == set()


def test_dynamic_ids_exist() -> None:
    ids = set(catalog("zh-CN"))
    dynamic = {label for label, _, _ in NAVIGATION}
    dynamic |= {f"role.{r}" for r in ("admin", "steward", "analyst", "public")}
    dynamic |= {f"kind.{k}" for k in ("city", "county", "zone", "external")}
    dynamic |= {f"outcome.{o}" for o in ("success", "denied", "failure")}
    dynamic |= {"login.failed", "login.locked"}
    assert dynamic <= ids


def test_chinese_catalog_is_chinese() -> None:
    zh = catalog("zh-CN")
    assert sum(bool(re.search(r"[\u4e00-\u9fff]", text)) for text in zh.values()) > 0.9 * len(zh)
