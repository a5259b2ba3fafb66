"""The six base databases (六大基础库) as data: standard columns, sharing defaults, preset rules.

Each template follows the national standard for its data elements (数据元) where one exists, and
Shandong's provincial standards for 政务信息资源 (DB37/T 4221-4224, 2020) where the national ones
leave the choice open; ``Template.standards`` names them and docs/base-databases.md explains the
choices. Column sets are kept to the elements every department can fill (8-15 columns); a steward
adds department-specific columns simply by uploading them.

Rules and cleaning steps are in the JSON shape of ``cityhub.quality`` (``{"rules": [...],
"cleaning": [...]}``). A ``reference`` rule names the base database it points at by template key
(``"base": "legal_entity"``) instead of a dataset name: the dataset that plays that role is chosen
when a dataset is created from the template (the demo city's is ``legal-entities``).
"""

from __future__ import annotations

from cityhub.catalog.base_databases.certificates import CERTIFICATE
from cityhub.catalog.base_databases.economy import MACRO_ECONOMY
from cityhub.catalog.base_databases.entities import LEGAL_ENTITY, PUBLIC_CREDIT
from cityhub.catalog.base_databases.model import Template, TemplateColumn
from cityhub.catalog.base_databases.people import POPULATION
from cityhub.catalog.base_databases.spatial import SPATIAL

TEMPLATES: dict[str, Template] = {
    t.key: t for t in (POPULATION, LEGAL_ENTITY, PUBLIC_CREDIT, MACRO_ECONOMY, SPATIAL, CERTIFICATE)
}

__all__ = [
    "CERTIFICATE",
    "LEGAL_ENTITY",
    "MACRO_ECONOMY",
    "POPULATION",
    "PUBLIC_CREDIT",
    "SPATIAL",
    "TEMPLATES",
    "Template",
    "TemplateColumn",
]
