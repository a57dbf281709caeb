"""All of Aman's cryptography, behind one small wrapper; nothing else imports a cipher.

Algorithms (libsodium through PyNaCl):
- sub-keys: BLAKE2b keyed with a hash of the server secret, personalised per purpose, so a key
  used for blind indexes can never decrypt anything and vice versa;
- blind index: BLAKE2b-256 keyed MAC of a value (a chat id, say), for looking a row up without
  storing the value;
- at-rest encryption: XSalsa20-Poly1305 (SecretBox) with a random nonce per message;
- tips: per-tip SecretBox keys, sealed boxes to staff keys, Argon2id key wrapping, login
  password hashes and receipt hashes (see the section further down).
"""

from __future__ import annotations

import asyncio
import base64
import struct
from dataclasses import dataclass
from functools import lru_cache

import argon2
import argon2.low_level
import nacl.encoding
import nacl.hash
import nacl.public
import nacl.pwhash.argon2id
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


# --- Tips: per-tip keys, sealed boxes, key wrapping, passwords, receipts -----------------------
#
# Algorithms (all libsodium through PyNaCl, and the Argon2 reference code through argon2-cffi):
# - content key: 32 random bytes per tip; content and files are encrypted with
#   XSalsa20-Poly1305 (SecretBox), a fresh random 24-byte nonce per message;
# - sealing: a tip key is sealed to a staff member's (or the escrow's) Curve25519 public key with
#   libsodium's sealed box (an ephemeral X25519 key + XSalsa20-Poly1305), so only the matching
#   private key can open it and the sender holds no secret afterwards;
# - key wrapping: a staff private key is encrypted (SecretBox) under a key derived from the
#   password with Argon2id (random 16-byte salt, limits stored in the blob), and separately under
#   a key derived from a random 256-bit recovery key with keyed BLAKE2b (enough for a secret
#   that has full entropy);
# - login passwords: Argon2id PHC strings (argon2-cffi PasswordHasher);
# - receipts: Argon2id raw hash of the 16 digits with a site-wide salt derived from the server
#   secret, so the same receipt always gives the same lookup value on this site and no other.


@dataclass(frozen=True)
class KdfLimits:
    """Argon2id cost: libsodium ops/mem limits for key wrapping, argon2-cffi costs for the rest."""

    opslimit: int
    memlimit: int  # bytes
    time_cost: int  # argon2-cffi passes (passwords, receipts)
    memory_cost: int  # argon2-cffi KiB


# Moderate: ~0.1-0.3 s per unlock on a small server; interactive enough for a login.
MODERATE = KdfLimits(opslimit=3, memlimit=64 * 1024 * 1024, time_cost=3, memory_cost=64 * 1024)
# For tests only: the minimum libsodium accepts, so a story with five staff stays fast.
FAST = KdfLimits(opslimit=1, memlimit=8192, time_cost=1, memory_cost=8)

_limits: KdfLimits = MODERATE


def use_kdf_limits(limits: KdfLimits | None) -> None:
    """Choose the Argon2id cost for new hashes and wraps (None = MODERATE). Existing blobs and
    hashes keep the cost they were made with, so changing it never locks anyone out."""
    global _limits
    _limits = limits or MODERATE


def kdf_limits() -> KdfLimits:
    return _limits


def new_content_key() -> bytes:
    """A fresh 32-byte XSalsa20-Poly1305 key for one tip."""
    return nacl.utils.random(nacl.secret.SecretBox.KEY_SIZE)


def encrypt_content(key: bytes, plaintext: bytes) -> bytes:
    """SecretBox (XSalsa20-Poly1305) under a tip key; the random nonce is part of the output."""
    return bytes(nacl.secret.SecretBox(key).encrypt(plaintext))


def decrypt_content(key: bytes, ciphertext: bytes) -> bytes:
    """Open what `encrypt_content` made; raises nacl.exceptions.CryptoError when tampered with."""
    return nacl.secret.SecretBox(key).decrypt(ciphertext)


def generate_key_pair() -> tuple[bytes, bytes]:
    """A Curve25519 key pair for sealed boxes: (public key, private key), 32 bytes each."""
    private = nacl.public.PrivateKey.generate()
    return bytes(private.public_key), bytes(private)


def public_key_of(private_key: bytes) -> bytes:
    return bytes(nacl.public.PrivateKey(private_key).public_key)


def seal_to(public_key: bytes, data: bytes) -> bytes:
    """libsodium sealed box (X25519 + XSalsa20-Poly1305) to a public key: anonymous sender."""
    return bytes(nacl.public.SealedBox(nacl.public.PublicKey(public_key)).encrypt(data))


def open_sealed(private_key: bytes, sealed: bytes) -> bytes:
    """Open a sealed box with the matching private key; CryptoError if it was not sealed to it."""
    return nacl.public.SealedBox(nacl.public.PrivateKey(private_key)).decrypt(sealed)


_WRAP_PASSWORD = b"AP1"  # blob: tag | opslimit (u32) | memlimit (u64) | salt (16) | SecretBox
_WRAP_RECOVERY = b"AR1"  # blob: tag | salt (16) | SecretBox


def wrap_with_password(secret: bytes, password: str, limits: KdfLimits | None = None) -> bytes:
    """Encrypt `secret` under a key derived from `password` with Argon2id (libsodium's
    crypto_pwhash, random salt); the cost is stored in the blob so it can be raised later."""
    limits = limits or _limits
    salt = nacl.utils.random(nacl.pwhash.argon2id.SALTBYTES)
    key = _password_key(password, salt, limits.opslimit, limits.memlimit)
    header = _WRAP_PASSWORD + struct.pack(">IQ", limits.opslimit, limits.memlimit) + salt
    return header + bytes(nacl.secret.SecretBox(key).encrypt(secret))


def unwrap_with_password(blob: bytes, password: str) -> bytes:
    """Open `wrap_with_password`'s blob; CryptoError when the password is wrong."""
    if blob[:3] != _WRAP_PASSWORD:
        raise ValueError("not a password-wrapped key")
    opslimit, memlimit = struct.unpack(">IQ", blob[3:15])
    salt, box = blob[15:31], blob[31:]
    return nacl.secret.SecretBox(_password_key(password, salt, opslimit, memlimit)).decrypt(box)


def _password_key(password: str, salt: bytes, opslimit: int, memlimit: int) -> bytes:
    return nacl.pwhash.argon2id.kdf(
        nacl.secret.SecretBox.KEY_SIZE,
        password.encode(),
        salt,
        opslimit=opslimit,
        memlimit=memlimit,
    )


def new_recovery_key() -> str:
    """A one-time recovery key: 256 random bits written as 13 groups of base32 letters."""
    text = base64.b32encode(nacl.utils.random(32)).decode().rstrip("=")
    return "-".join(text[i : i + 4] for i in range(0, len(text), 4))


def _normalise_recovery_key(recovery_key: str) -> bytes:
    return "".join(ch for ch in recovery_key.upper() if ch.isalnum()).encode()


def wrap_with_recovery_key(secret: bytes, recovery_key: str) -> bytes:
    """Encrypt `secret` (SecretBox) under BLAKE2b(recovery key, salt): the recovery key has
    full entropy, so a slow password hash would add nothing."""
    salt = nacl.utils.random(16)
    key = _recovery_wrap_key(recovery_key, salt)
    return _WRAP_RECOVERY + salt + bytes(nacl.secret.SecretBox(key).encrypt(secret))


def unwrap_with_recovery_key(blob: bytes, recovery_key: str) -> bytes:
    if blob[:3] != _WRAP_RECOVERY:
        raise ValueError("not a recovery-wrapped key")
    salt, box = blob[3:19], blob[19:]
    return nacl.secret.SecretBox(_recovery_wrap_key(recovery_key, salt)).decrypt(box)


def _recovery_wrap_key(recovery_key: str, salt: bytes) -> bytes:
    return nacl.hash.blake2b(
        _normalise_recovery_key(recovery_key),
        key=salt,
        person=b"aman-recovery",
        digest_size=32,
        encoder=nacl.encoding.RawEncoder,
    )


def _password_hasher() -> argon2.PasswordHasher:
    return argon2.PasswordHasher(
        time_cost=_limits.time_cost, memory_cost=_limits.memory_cost, parallelism=1
    )


def hash_password(password: str) -> str:
    """An Argon2id PHC string for signing in (its own random salt and cost inside)."""
    return _password_hasher().hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """True when `password` matches; never raises for a wrong or malformed hash."""
    try:
        return argon2.PasswordHasher().verify(password_hash, password)
    except (argon2.exceptions.VerificationError, argon2.exceptions.InvalidHashError):
        return False


def receipt_hash_sync(receipt: str) -> str:
    """Argon2id (raw, 32 bytes, hex) of a receipt with the site salt derived from the server
    secret. Blocking: call `receipt_hash` from async code. The cost is part of the lookup value:
    changing MODERATE makes earlier receipts unfindable, so raise it only with a re-hash plan."""
    site_salt = _subkey("receipt-salt")[:16]
    raw = argon2.low_level.hash_secret_raw(
        receipt.encode(),
        site_salt,
        time_cost=_limits.time_cost,
        memory_cost=_limits.memory_cost,
        parallelism=1,
        hash_len=32,
        type=argon2.low_level.Type.ID,
    )
    return raw.hex()


def receipt_key_sync(receipt: str) -> bytes:
    """A 32-byte SecretBox key from a receipt: Argon2id with a second site salt (a separate
    pepper from the lookup hash, so the stored digest never doubles as the key). It lets the
    reporter, and only someone holding the receipt, open their own tip to read replies."""
    return argon2.low_level.hash_secret_raw(
        receipt.encode(),
        _subkey("receipt-key-salt")[:16],
        time_cost=_limits.time_cost,
        memory_cost=_limits.memory_cost,
        parallelism=1,
        hash_len=32,
        type=argon2.low_level.Type.ID,
    )


async def receipt_key(receipt: str) -> bytes:
    """`receipt_key_sync` in a worker thread."""
    return await asyncio.to_thread(receipt_key_sync, receipt)


async def receipt_hash(receipt: str) -> str:
    """`receipt_hash_sync` in a worker thread, so the event loop keeps serving others."""
    return await asyncio.to_thread(receipt_hash_sync, receipt)


# --- Signatures for partner systems -----------------------------------------------------------


def hmac_sha256(key: bytes, message: bytes) -> str:
    """HMAC-SHA256 (RFC 2104) of `message` under `key`, hex: signs webhooks sent to partners."""
    import hashlib
    import hmac

    return hmac.new(key, message, hashlib.sha256).hexdigest()
