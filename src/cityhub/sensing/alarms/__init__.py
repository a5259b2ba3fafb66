"""The alarm engine of the sensing module: rules in tiers, alarms with a lifecycle, webhooks.

- ``AlarmEngine``: evaluates rules as Observations arrive (``observe``, a bus listener) and
  periodically (``sweep``: offline stations, rain windows sliding past a storm).
- Rules: ``create_rule``/``update_rule``/``set_rule_enabled``/``delete_rule``/``list_rules``/
  ``rules_for_datastream``, made from a ``RuleSpec`` — by hand or with the presets
  (``water_level_rule``, ``rainstorm_rule``, ``daily_rainfall_rule``, ``gas_rule``,
  ``rate_rule``, ``threshold_rule``, ``offline_rule``).
- Alarms: ``list_alarms``, ``alarm_history``, ``acknowledge``, ``clear``; silences:
  ``create_silence``, ``end_silence``, ``list_silences``.
- ``Notifier``: delivers the webhook outbox with retries and back-off.

See docs/alarms.md for the semantics.
"""

from cityhub.sensing.alarms.engine import AlarmEngine
from cityhub.sensing.alarms.handling import (
    AlarmQuery,
    acknowledge,
    alarm_history,
    clear,
    list_alarms,
)
from cityhub.sensing.alarms.lifecycle import AlarmChange
from cityhub.sensing.alarms.models import (
    Alarm,
    AlarmEvent,
    AlarmNotification,
    AlarmRule,
    AlarmSilence,
    AlarmState,
)
from cityhub.sensing.alarms.notifier import Notifier, post_json
from cityhub.sensing.alarms.presets import (
    daily_rainfall_rule,
    gas_rule,
    offline_rule,
    rainstorm_rule,
    rate_rule,
    threshold_rule,
    water_level_rule,
)
from cityhub.sensing.alarms.rules import (
    create_rule,
    delete_rule,
    list_rules,
    rules_for_datastream,
    set_rule_enabled,
    spec_of,
    update_rule,
)
from cityhub.sensing.alarms.silences import (
    SilenceSpec,
    create_silence,
    end_silence,
    list_silences,
)
from cityhub.sensing.alarms.spec import Condition, RuleSpec, Tier, tiers_from_json, tiers_to_json
from cityhub.sensing.alarms.vocab import (
    AlarmStatus,
    EventKind,
    NotificationStatus,
    RuleKind,
    Severity,
)

__all__ = [
    "Alarm",
    "AlarmChange",
    "AlarmEngine",
    "AlarmEvent",
    "AlarmNotification",
    "AlarmQuery",
    "AlarmRule",
    "AlarmSilence",
    "AlarmState",
    "AlarmStatus",
    "Condition",
    "EventKind",
    "NotificationStatus",
    "Notifier",
    "RuleKind",
    "RuleSpec",
    "Severity",
    "SilenceSpec",
    "Tier",
    "acknowledge",
    "alarm_history",
    "clear",
    "create_rule",
    "create_silence",
    "daily_rainfall_rule",
    "delete_rule",
    "end_silence",
    "gas_rule",
    "list_alarms",
    "list_rules",
    "list_silences",
    "offline_rule",
    "post_json",
    "rainstorm_rule",
    "rate_rule",
    "rules_for_datastream",
    "set_rule_enabled",
    "spec_of",
    "threshold_rule",
    "tiers_from_json",
    "tiers_to_json",
    "update_rule",
    "water_level_rule",
]
