"""Agricultural inputs (农业投入品) of the pear and vegetable chains, and the greenhouse crops.

Pesticides are real active ingredients in formulations registered in China for these crops, with
plausible doses and safety intervals (安全间隔期); the registration numbers (PD…) and fertiliser
numbers are made up for the demo. CAS numbers identify the active ingredient in residue tests.
Doses are amounts of the product per 亩 (1/15 ha) in a UN/CEFACT unit (GRM, MLT, KGM); a record
states the amount used on the whole plot, as a 生产记录 does.
"""

from __future__ import annotations

from typing import NamedTuple


class Treatment(NamedTuple):
    """An agricultural input as its label and 登记证 give it, and how the farm applies it."""

    item: int  # GTIN item number at the farm-supply shop
    name: str
    name_en: str
    registration: str  # 农药登记证号 PD…, 肥料登记证号
    dose: float  # per 亩
    uom: str  # UN/CEFACT Rec 20: GRM, MLT, KGM
    method: str
    safety_days: int | None = None  # 安全间隔期; None for fertilisers
    cas: str | None = None  # the active ingredient, for residue tests

    @property
    def step(self) -> str:
        """The city bizStep of applying it."""
        return "pesticide_applying" if self.safety_days is not None else "fertilising"


class Vegetable(NamedTuple):
    """A greenhouse crop: names, days to the first harvest, days between harvests, yield."""

    item: int
    name: str
    name_en: str
    variety: str
    tag: str  # lot number prefix
    first: tuple[int, int]
    gap: tuple[int, int]
    kg_per_plant: tuple[float, float]
    treatments: tuple[tuple[int, Treatment], ...]  # (days after planting, treatment)


# fmt: off
# Orchard sprays, about 150 L of spray liquid per 亩.
IMIDACLOPRID = Treatment(1, "10%吡虫啉可湿性粉剂", "Imidacloprid 10% WP", "PD20080532",
                         40.0, "GRM", "喷雾", 14, "138261-41-3")
DIFENOCONAZOLE = Treatment(2, "10%苯醚甲环唑水分散粒剂", "Difenoconazole 10% WG", "PD20081937",
                           50.0, "GRM", "喷雾", 14, "119446-68-3")
ABAMECTIN = Treatment(3, "1.8%阿维菌素乳油", "Abamectin 1.8% EC", "PD20084719",
                      40.0, "MLT", "喷雾", 14, "71751-41-2")
BETA_CYPERMETHRIN = Treatment(4, "4.5%高效氯氰菊酯乳油", "Beta-cypermethrin 4.5% EC",
                              "PD20086158", 60.0, "MLT", "喷雾", 21, "65731-84-2")
CARBENDAZIM = Treatment(5, "50%多菌灵可湿性粉剂", "Carbendazim 50% WP", "PD20082713",
                        150.0, "GRM", "喷雾", 28, "10605-21-7")
# (day of the season, treatment) for every orchard block
PEAR_SPRAYS = ((40, IMIDACLOPRID), (70, DIFENOCONAZOLE), (100, ABAMECTIN),
               (130, BETA_CYPERMETHRIN), (150, CARBENDAZIM))
PEAR_FERTILISERS = (
    (10, Treatment(11, "硫酸钾型复合肥料(15-15-15)", "Compound fertiliser 15-15-15",
                   "鲁农肥(2023)准字6217号", 60.0, "KGM", "沟施")),
    (76, Treatment(12, "大量元素水溶肥料(高钾型)", "Water-soluble fertiliser, high potassium",
                   "农肥(2022)准字20841号", 10.0, "KGM", "冲施")),
    (126, Treatment(13, "生物有机肥", "Bio-organic fertiliser",
                    "微生物肥(2023)准字(11562)号", 200.0, "KGM", "穴施")),
)

# Greenhouse treatments.
COMPOUND = Treatment(11, "硫酸钾型复合肥料(15-15-15)", "Compound fertiliser 15-15-15",
                     "鲁农肥(2023)准字6217号", 40.0, "KGM", "穴施")
SOLUBLE = Treatment(12, "大量元素水溶肥料(平衡型)", "Water-soluble fertiliser, balanced",
                    "农肥(2022)准字20517号", 8.0, "KGM", "滴灌")
VEGETABLES = (
    Vegetable(1, "黄瓜", "Cucumber", "津优35号", "HG", (45, 55), (3, 5), (0.8, 1.5), (
        (10, COMPOUND), (15, SOLUBLE),
        (20, Treatment(1, "10%吡虫啉可湿性粉剂", "Imidacloprid 10% WP", "PD20080532",
                       15.0, "GRM", "喷雾", 3, "138261-41-3")),
        (30, Treatment(6, "75%百菌清可湿性粉剂", "Chlorothalonil 75% WP", "PD20083376",
                       120.0, "GRM", "喷雾", 7, "1897-45-6")),
    )),
    Vegetable(2, "西红柿", "Tomato", "普罗旺斯", "XH", (85, 100), (5, 8), (0.6, 1.2), (
        (10, COMPOUND), (30, SOLUBLE),
        (40, Treatment(7, "50%腐霉利可湿性粉剂", "Procymidone 50% WP", "PD20085218",
                       60.0, "GRM", "喷雾", 3, "32809-16-8")),
        (60, Treatment(8, "25%嘧菌酯悬浮剂", "Azoxystrobin 25% SC", "PD20087043",
                       40.0, "MLT", "喷雾", 5, "131860-33-8")),
    )),
    Vegetable(3, "辣椒", "Chili pepper", "螺丝椒", "LJ", (70, 85), (5, 8), (0.3, 0.6), (
        (10, COMPOUND), (25, SOLUBLE),
        (30, Treatment(9, "20%啶虫脒可溶粉剂", "Acetamiprid 20% SP", "PD20084471",
                       6.0, "GRM", "喷雾", 7, "135410-20-7")),
        (50, Treatment(2, "10%苯醚甲环唑水分散粒剂", "Difenoconazole 10% WG", "PD20081937",
                       30.0, "GRM", "喷雾", 7, "119446-68-3")),
    )),
)
# fmt: on
