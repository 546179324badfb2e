"""ID numbers and phones at rest: encrypted, with a keyed hash as the identity.

The master secret comes from ``LEDGER_SECRET_KEY``; without it, a random key is created
once in ``LEDGER_KEY_FILE`` (mode 0600) — back that file up, or the stored numbers cannot
be read again. Two keys are derived from it: one for Fernet encryption, one for the HMAC
that makes ``id_hash`` (so a copied database without the key reveals no number, not even
by hashing all 10¹⁸ candidates).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
from functools import lru_cache

from cryptography.fernet import Fernet

from ledger.settings import get_settings


def _master_secret() -> bytes:
    settings = get_settings()
    if settings.secret_key:
        return settings.secret_key.encode()
    path = settings.key_file
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(48))
    return path.read_text().strip().encode()


def _derive(purpose: bytes) -> bytes:
    return hmac.new(_master_secret(), b"ledger:" + purpose, hashlib.sha256).digest()


def derive_key(purpose: bytes) -> bytes:
    """A key for one purpose (the journal's HMAC, CSRF tokens), derived from the master secret."""
    return _derive(purpose)


@lru_cache(maxsize=1)
def _fernet() -> Fernet:
    return Fernet(base64.urlsafe_b64encode(_derive(b"encryption")))


@lru_cache(maxsize=1)
def _mac_key() -> bytes:
    return _derive(b"identity-hash")


def identity_hash(value: str) -> str:
    """Keyed hash of a normalised ID number: unique key and look-up without decrypting."""
    return hmac.new(_mac_key(), value.strip().upper().encode(), hashlib.sha256).hexdigest()


def encrypt(value: str) -> str:
    return _fernet().encrypt(value.encode()).decode() if value else ""


def decrypt(token: str) -> str:
    return _fernet().decrypt(token.encode()).decode() if token else ""


def reset_caches() -> None:
    """For tests that change the key."""
    _fernet.cache_clear()
    _mac_key.cache_clear()
