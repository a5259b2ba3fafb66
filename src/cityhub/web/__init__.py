"""The web shell: a FastAPI app of thin routes over the domain services, and Chinese-first pages."""

from cityhub.web.app import create_app

__all__ = ["create_app"]
