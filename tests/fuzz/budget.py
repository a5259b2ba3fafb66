"""How hard the fuzzers try: a small fixed budget in the test suite, ``make fuzz`` for depth.

``CITYHUB_FUZZ_EXAMPLES`` (set by ``make fuzz``) is the number of requests per API operation
and role; the parser properties run twenty times as many documents. Unset, the suite runs a few
with a fixed seed, so that CI is reproducible.
"""

from __future__ import annotations

import os

DEEP = "CITYHUB_FUZZ_EXAMPLES" in os.environ
API_EXAMPLES = int(os.environ.get("CITYHUB_FUZZ_EXAMPLES", "3"))
PARSER_EXAMPLES = 20 * API_EXAMPLES if DEEP else 300
