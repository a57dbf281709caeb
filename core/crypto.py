"""All of Aman's cryptography, behind one small wrapper; nothing else imports a cipher.

Algorithms (libsodium through PyNaCl):
- sub-keys: BLAKE2b keyed with a hash of the server secret, personalised per purpose, so a key
  used for blind indexes can never decrypt anything and vice versa;
- blind index: BLAKE2b-256 keyed MAC of a value (a chat id, say), for looking a row up without
  storing the value;
- at-rest encryption: XSalsa20-Poly1305 (SecretBox) with a random nonce per message.
"""

from __future__ import annotations

from functools import lru_cache

import nacl.encoding
import nacl.hash
import nacl.secret
import nacl.utils

_override: bytes | None = None


def use_secret(secret: bytes | None) -> None:
    """Set the server secret explicitly (tests and tools); None goes back to the settings."""
    global _override
    _override = secret
    _subkey.cache_clear()


def _server_secret() -> bytes:
    if _override is not None:
        return _override
    from core.settings import get_settings

    return get_settings().server_secret()


@lru_cache(maxsize=32)
def _subkey(purpose: str) -> bytes:
    """A 32-byte key for one purpose, derived from the server secret."""
    root = nacl.hash.blake2b(_server_secret(), digest_size=64, encoder=nacl.encoding.RawEncoder)
    return nacl.hash.blake2b(
        purpose.encode(),
        key=root,
        person=b"aman-subkey",
        digest_size=32,
        encoder=nacl.encoding.RawEncoder,
    )


def blind_index(purpose: str, value: str | int) -> str:
    """A stable keyed hash of `value` (hex), to find rows by a value that is never stored."""
    return nacl.hash.blake2b(
        str(value).encode(),
        key=_subkey(f"blind-index:{purpose}"),
        digest_size=32,
        encoder=nacl.encoding.HexEncoder,
    ).decode()


def seal_at_rest(plaintext: bytes, purpose: str = "at-rest") -> bytes:
    """Encrypt with the server's at-rest key for `purpose` (nonce included in the output)."""
    return bytes(nacl.secret.SecretBox(_subkey(f"secretbox:{purpose}")).encrypt(plaintext))


def open_at_rest(ciphertext: bytes, purpose: str = "at-rest") -> bytes:
    """Decrypt what `seal_at_rest` produced; raises nacl.exceptions.CryptoError if tampered with."""
    return nacl.secret.SecretBox(_subkey(f"secretbox:{purpose}")).decrypt(ciphertext)


def random_bytes(size: int) -> bytes:
    return nacl.utils.random(size)
