"""The SensorThings MQTT extension (OGC 18-088 §14): create Observations by publishing, receive
new Observations by subscribing.

Two ways to run it: ``EmbeddedBroker`` (amqtt inside the cityhub process, the default: no
service to install) or ``BrokerBridge`` (the platform as a client of an external broker such as
Mosquitto). Both feed the same batching ``ObservationIngester`` and publish the same updates.
See ``docs/mqtt.md``.
"""

from cityhub.sensing.mqtt.bridge import BRIDGE_ACTOR, BrokerBridge
from cityhub.sensing.mqtt.embedded import EmbeddedBroker
from cityhub.sensing.mqtt.ingester import Incoming, IngestStats, ObservationIngester
from cityhub.sensing.mqtt.updates import UpdatePublisher, conformance

__all__ = [
    "BRIDGE_ACTOR",
    "BrokerBridge",
    "EmbeddedBroker",
    "Incoming",
    "IngestStats",
    "ObservationIngester",
    "UpdatePublisher",
    "conformance",
]
