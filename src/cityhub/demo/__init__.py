"""The demo city: Liaocheng's departments and demo users of every role, clearly marked as demo data.

Each module adds its own demo data here as it lands; ``seed`` is idempotent.
"""

from cityhub.demo.accounts import DEMO_PASSWORD, DEMO_USERS, DemoUser
from cityhub.demo.seed import DemoReport, seed

__all__ = ["DEMO_PASSWORD", "DEMO_USERS", "DemoReport", "DemoUser", "seed"]
