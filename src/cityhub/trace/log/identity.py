"""Who the log is: its origin, its signing key and the witness policy it publishes under."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from cityhub.config import Settings, create_once, replace_atomically
from cityhub.errors import ConfigurationError, InvalidInput
from cityhub.trace.note import NoteSigner, Policy, generate_signer, parse_policy, signer_from_skey
from cityhub.trace.note.sealed import is_sealed, open_key_text, seal

log = logging.getLogger(__name__)


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
    path = Path(settings.trace_log_key_file or settings.data_dir / "trace" / "log.skey")
    passphrase = settings.key_passphrase.get_secret_value() if settings.key_passphrase else None
    try:
        text = path.read_text(encoding="ascii")
        signer = signer_from_skey(open_key_text(text, passphrase))
    except FileNotFoundError:
        signer = _create_key(path, origin, passphrase)
    except (OSError, UnicodeDecodeError, InvalidInput) as exc:
        message = exc.message if isinstance(exc, InvalidInput) else str(exc)
        raise ConfigurationError(f"cannot read the trace log key {path}: {message}") from exc
    else:
        if passphrase and not is_sealed(text):
            _seal_in_place(path, signer, passphrase)
    if signer.name != origin:
        raise ConfigurationError(
            f"the trace log key {path} is for origin {signer.name!r}, not {origin!r}; "
            "set CITYHUB_TRACE_ORIGIN to the key's origin or start a new log with a new key"
        )
    return signer


def _seal_in_place(path: Path, signer: NoteSigner, passphrase: str) -> None:
    """Replace a plain key file by its sealed form."""
    try:
        replace_atomically(path, seal(signer.skey(), passphrase).encode("ascii"))
    except OSError as exc:
        raise ConfigurationError(f"cannot encrypt the trace log key {path}: {exc}") from exc
    log.info("the trace log key %s is now encrypted with CITYHUB_KEY_PASSPHRASE", path)


def _create_key(path: Path, origin: str, passphrase: str | None) -> NoteSigner:
    # Two processes starting at once must not each create a different log key.
    skey = generate_signer(origin).skey()
    content = seal(skey, passphrase) if passphrase else skey + "\n"
    try:
        stored = create_once(path, content.encode("ascii"))
    except OSError as exc:
        raise ConfigurationError(f"cannot create the trace log key {path}: {exc}") from exc
    return signer_from_skey(open_key_text(stored.decode("ascii"), passphrase))
