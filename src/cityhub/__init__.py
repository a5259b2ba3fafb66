"""cityhub: the data platform of a city Big Data Bureau.

Domains (``auth``, ``audit`` and, as they land, ``catalog``, ``pool``, ``sensing``, ``trace``,
``programme``) hold the logic; ``cityhub.web`` and ``cityhub.cli`` are thin shells over them.
"""

__all__ = ["__version__"]

__version__ = "0.1.0"
