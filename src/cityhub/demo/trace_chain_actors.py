"""The parties of the demo traceability chains: invented firms in Liaocheng's counties.

Every name is made up for the demo (the platform marks all of it as demo data). Coordinates are
plausible spots in the right county; credit codes are generated with valid check characters
(GB 32100, GB 11714) from the county's GB/T 2260 code, 91 for companies and 93 for farmers'
cooperatives. The one natural-person farmer has a 自然人主体码 instead.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from cityhub.demo.city import COUNTIES, credit_code
from cityhub.demo.trace_chain_model import DemoActor, DemoProduct, gln, gtin

COUNTY_CODES = {name: code for code, name in COUNTIES.items()}
AGRICULTURE, MARKET, TRANSPORT = "市农业农村局", "市市场监管局", "市交通运输局"
PERSON = "person"

# fmt: off
# key, kind, registration (91 company, 93 cooperative, person), county, zh, en, lon, lat, dept
_SPECS: tuple[tuple[str, str, str, str, str, str, float, float, str], ...] = (
    ("donkey_coop", "producer", "93", "东阿县", "东阿县鸿泰黑驴养殖专业合作社",
     "Dong'e Hongtai Black Donkey Breeding Cooperative", 116.212, 36.291, AGRICULTURE),
    ("donkey_farm", "producer", "91", "东阿县", "东阿县墨驹牧业有限公司",
     "Dong'e Moju Husbandry Co., Ltd.", 116.318, 36.382, AGRICULTURE),
    ("donkey_farmer", "producer", PERSON, "东阿县", "赵长岭（个体养驴户）",
     "Zhao Changling (household donkey farmer)", 116.171, 36.357, AGRICULTURE),
    ("feed", "supplier", "91", "茌平区", "聊城丰禾饲料有限公司",
     "Liaocheng Fenghe Feed Co., Ltd.", 116.263, 36.571, AGRICULTURE),
    ("vet", "supplier", "91", "东昌府区", "聊城康牧兽药经营有限公司",
     "Liaocheng Kangmu Veterinary Drugs Trading Co., Ltd.", 115.991, 36.472, AGRICULTURE),
    ("slaughter", "processor", "91", "东阿县", "东阿县顺和畜产品屠宰有限公司",
     "Dong'e Shunhe Livestock Slaughtering Co., Ltd.", 116.274, 36.312, AGRICULTURE),
    ("gelatin", "processor", "91", "东阿县", "东阿县胶源堂阿胶制品有限公司",
     "Dong'e Jiaoyuantang Ejiao Products Co., Ltd.", 116.251, 36.338, MARKET),
    ("sugar", "supplier", "91", "东昌府区", "聊城晶甜糖业有限公司",
     "Liaocheng Jingtian Sugar Co., Ltd.", 115.952, 36.431, MARKET),
    ("wine", "supplier", "91", "阳谷县", "阳谷县古醪黄酒酿造有限公司",
     "Yanggu Gulao Yellow Wine Brewery Co., Ltd.", 115.803, 36.118, MARKET),
    ("oil", "supplier", "91", "高唐县", "高唐县丰泽粮油有限公司",
     "Gaotang Fengze Grain and Oil Co., Ltd.", 116.241, 36.851, MARKET),
    ("haulier", "logistics", "91", "东昌府区", "聊城通衢物流有限公司",
     "Liaocheng Tongqu Logistics Co., Ltd.", 116.021, 36.441, TRANSPORT),
    ("coldchain", "logistics", "91", "东昌府区", "聊城冷运达冷链物流有限公司",
     "Liaocheng Lengyunda Cold Chain Logistics Co., Ltd.", 115.932, 36.489, TRANSPORT),
    ("lab_city", "lab", "91", "东昌府区", "聊城正衡检测技术有限公司",
     "Liaocheng Zhengheng Testing Technology Co., Ltd.", 115.994, 36.433, AGRICULTURE),
    ("lab_shen", "lab", "91", "莘县", "莘县谱达检测服务有限公司",
     "Shenxian Puda Testing Services Co., Ltd.", 115.682, 36.221, AGRICULTURE),
    ("orchard_qq", "producer", "93", "冠县", "冠县清泉梨园种植专业合作社",
     "Guanxian Qingquan Pear Orchard Cooperative", 115.462, 36.503, AGRICULTURE),
    ("orchard_xx", "producer", "93", "冠县", "冠县雪香鸭梨专业合作社",
     "Guanxian Xuexiang Yali Pear Cooperative", 115.381, 36.452, AGRICULTURE),
    ("orchard_yl", "producer", "91", "冠县", "冠县玉露果业有限公司",
     "Guanxian Yulu Fruit Co., Ltd.", 115.503, 36.421, AGRICULTURE),
    ("agri_guan", "supplier", "91", "冠县", "冠县禾润农资有限公司",
     "Guanxian Herun Farm Supplies Co., Ltd.", 115.443, 36.482, AGRICULTURE),
    ("veg_lp", "producer", "93", "莘县", "莘县绿圃设施蔬菜专业合作社",
     "Shenxian Lyupu Greenhouse Vegetable Cooperative", 115.631, 36.272, AGRICULTURE),
    ("veg_xh", "producer", "93", "莘县", "莘县鲜禾棚菜种植专业合作社",
     "Shenxian Xianhe Greenhouse Vegetable Cooperative", 115.724, 36.193, AGRICULTURE),
    ("veg_by", "producer", "91", "莘县", "莘县碧野农业科技有限公司",
     "Shenxian Biye Agricultural Technology Co., Ltd.", 115.604, 36.211, AGRICULTURE),
    ("agri_shen", "supplier", "91", "莘县", "莘县沃土农资有限公司",
     "Shenxian Wotu Farm Supplies Co., Ltd.", 115.662, 36.251, AGRICULTURE),
    ("pharmacy_dcf", "retailer", "91", "东昌府区", "聊城济众堂大药房连锁有限公司",
     "Liaocheng Jizhongtang Pharmacy Chain Co., Ltd.", 115.987, 36.462, MARKET),
    ("pharmacy_de", "retailer", "91", "东阿县", "东阿县百草源药店有限公司",
     "Dong'e Baicaoyuan Drugstore Co., Ltd.", 116.262, 36.331, MARKET),
    ("pharmacy_yg", "retailer", "91", "阳谷县", "阳谷县福寿堂药房有限公司",
     "Yanggu Fushoutang Pharmacy Co., Ltd.", 115.784, 36.109, MARKET),
    ("supermarket_dcf", "retailer", "91", "东昌府区", "聊城水城优选超市有限公司",
     "Liaocheng Shuicheng Youxuan Supermarket Co., Ltd.", 115.973, 36.452, MARKET),
    ("mall_lq", "retailer", "91", "临清市", "临清市运河购物中心有限公司",
     "Linqing Yunhe Shopping Centre Co., Ltd.", 115.712, 36.842, MARKET),
    ("supermarket_cp", "retailer", "91", "茌平区", "茌平区惠邻超市有限公司",
     "Chiping Huilin Supermarket Co., Ltd.", 116.254, 36.582, MARKET),
    ("store_gt", "retailer", "91", "高唐县", "高唐县鱼邱湖百货有限公司",
     "Gaotang Yuqiuhu Department Store Co., Ltd.", 116.231, 36.862, MARKET),
    ("market_dcf", "retailer", "91", "东昌府区", "聊城湖西农产品批发市场有限公司",
     "Liaocheng Huxi Farm Produce Wholesale Market Co., Ltd.", 115.942, 36.448, MARKET),
    ("market_sx", "retailer", "91", "莘县", "莘县燕塔农贸市场管理有限公司",
     "Shenxian Yanta Farmers' Market Management Co., Ltd.", 115.671, 36.238, MARKET),
)
# fmt: on

EJIAO_RETAILERS = (
    "pharmacy_dcf",
    "pharmacy_de",
    "pharmacy_yg",
    "supermarket_dcf",
    "mall_lq",
    "supermarket_cp",
)
PEAR_RETAILERS = ("supermarket_dcf", "mall_lq", "supermarket_cp", "store_gt", "market_dcf")
VEGETABLE_RETAILERS = ("market_dcf", "market_sx", "supermarket_dcf", "supermarket_cp")


@dataclass
class Cast:
    """The actors by key, and the GTINs (with names) minted so far."""

    actors: dict[str, DemoActor]
    products: dict[str, DemoProduct]

    def __getitem__(self, key: str) -> DemoActor:
        return self.actors[key]

    def gtin(self, key: str, item: int, name_zh: str, name_en: str) -> str:
        """GTIN ``item`` of actor ``key``'s company prefix, recorded with its names."""
        owner = self.actors[key]
        code = gtin(owner.gln[:8], item)
        self.products.setdefault(code, DemoProduct(code, name_zh, name_en, owner.ref))
        return code


def cast(rng: random.Random) -> Cast:
    """The demo actors with fresh identifiers drawn from ``rng``."""
    actors: dict[str, DemoActor] = {}
    prefixes: set[str] = set()
    for key, kind, registration, county, zh, en, lon, lat, department in _SPECS:
        code = COUNTY_CODES[county]
        if registration == PERSON:
            # 自然人主体码 as the county's traceability office hands it out (demo form).
            ref = f"NZ{code}{rng.randint(0, 99_999_999):08d}"
        else:
            ref = credit_code(rng, code, registration)
        prefix = ""
        while not prefix or prefix in prefixes:
            # GS1 China's 8-digit company prefixes start 692-695; the farmer's code is one the
            # county's traceability office holds for small producers.
            prefix = f"69{rng.randint(2, 5)}{rng.randint(0, 99_999):05d}"
        prefixes.add(prefix)
        actors[key] = DemoActor(ref, zh, en, kind, county, lon, lat, gln(prefix), department)
    return Cast(actors, {})
