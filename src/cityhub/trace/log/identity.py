"""Who the log is: its origin, its signing key and the witness policy it publishes under."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from cityhub.config import Settings, create_once
from cityhub.errors import ConfigurationError, InvalidInput
from cityhub.trace.note import NoteSigner, Policy, generate_signer, parse_policy, signer_from_skey


@dataclass(frozen=True)
class Witness:
    """One witness the log asks for cosignatures."""

    name: str
    url: str


@dataclass(frozen=True)
class LogIdentity:
    """The origin, the signer, the trust policy (text and parsed) and the witnesses to ask."""

    origin: str
    signer: NoteSigner
    policy_text: str
    policy: Policy
    witnesses: tuple[Witness, ...]


def log_origin(settings: Settings) -> str:
    """The configured origin, else ``<host of public_url or host:port>/trace/log``."""
    if settings.trace_origin:
        return settings.trace_origin
    if settings.public_url:
        parts = urlsplit(settings.public_url)
        return f"{parts.netloc}{parts.path.rstrip('/')}/trace/log"
    return f"{settings.host}:{settings.port}/trace/log"


def load_identity(settings: Settings) -> LogIdentity:
    """Read (or create once) the log key, and read the witness policy if one is configured."""
    origin = log_origin(settings)
    signer = _load_signer(settings, origin)
    vkey = signer.verifier().vkey()
    if settings.trace_policy_file is None:
        text = f"log {vkey}\nquorum none\n"
    else:
        try:
            text = Path(settings.trace_policy_file).read_text(encoding="utf-8")
        except OSError as exc:
            raise ConfigurationError(
                f"cannot read the trace policy file {settings.trace_policy_file}: {exc}"
            ) from exc
    try:
        policy = parse_policy(text)
    except InvalidInput as exc:
        raise ConfigurationError(
            f"trace policy file {settings.trace_policy_file}: {exc.message}", details=exc.details
        ) from exc
    if policy.log.vkey() != vkey:
        raise ConfigurationError(
            "the trace policy names another log key than this log's",
            details={"policy_log": policy.log.vkey(), "log": vkey},
        )
    witnesses = tuple(
        Witness(name, url) for name, (_verifier, url) in sorted(policy.witnesses.items()) if url
    )
    return LogIdentity(origin, signer, text, policy, witnesses)


def _load_signer(settings: Settings, origin: str) -> NoteSigner:
    path = settings.trace_log_key_file or settings.data_dir / "trace" / "log.skey"
    path = Path(path)
    try:
        signer = signer_from_skey(path.read_text(encoding="ascii").strip())
    except FileNotFoundError:
        signer = _create_key(path, origin)
    except (OSError, InvalidInput) as exc:
        raise ConfigurationError(f"cannot read the trace log key {path}: {exc}") from exc
    if signer.name != origin:
        raise ConfigurationError(
            f"the trace log key {path} is for origin {signer.name!r}, not {origin!r}; "
            "set CITYHUB_TRACE_ORIGIN to the key's origin or start a new log with a new key"
        )
    return signer


def _create_key(path: Path, origin: str) -> NoteSigner:
    # Two processes starting at once must not each create a different log key.
    try:
        stored = create_once(path, (generate_signer(origin).skey() + "\n").encode("ascii"))
    except OSError as exc:
        raise ConfigurationError(f"cannot create the trace log key {path}: {exc}") from exc
    return signer_from_skey(stored.decode("ascii").strip())
