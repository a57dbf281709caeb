"""All of Aman's cryptography, behind one small wrapper; nothing else imports a cipher.

Algorithms (libsodium through PyNaCl):
- sub-keys: BLAKE2b keyed with a hash of the server secret, personalised per purpose (one member
  of `Purpose` each), so a key used for blind indexes can never decrypt anything and vice versa;
- blind index: BLAKE2b-256 keyed MAC of a value (a chat id, say), for looking a row up without
  storing the value;
- at-rest encryption: XSalsa20-Poly1305 (SecretBox) with a random nonce per message;
- tips: per-tip SecretBox keys, sealed boxes to staff keys, Argon2id key wrapping, login
  password hashes and receipt hashes (see the section further down).

Every failure to open something is a `DecryptionError`, so callers never name the library.
Argon2id is slow and memory-hungry on purpose: async callers share one small budget of worker
threads (`ARGON2_THREADS`), never the event loop's default executor.
"""

from __future__ import annotations

import asyncio
import base64
import functools
import re
import struct
import weakref
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from typing import TypeVar

import argon2
import argon2.low_level
import nacl.encoding
import nacl.exceptions
import nacl.hash
import nacl.public
import nacl.pwhash.argon2id
import nacl.secret
import nacl.utils

T = TypeVar("T")


class DecryptionError(nacl.exceptions.CryptoError):
    """Ciphertext that does not open: tampered with, or the wrong key, password or receipt.
    (A subclass of PyNaCl's error only so that code written before it keeps working.)"""


class Purpose(StrEnum):
    """What a server sub-key is for. Blind indexes, at-rest boxes and the receipt salts each get
    their own key per purpose; the values are part of the derivation, so never change one."""

    AT_REST = "at-rest"  # the default at-rest box (tests and tools)
    CHAT = "chat"  # blind index of a private chat (core.models)
    SUBSCRIBER = "subscriber"  # campaigns: blind index and sealed chat id of a subscriber
    WEBHOOK = "webhook"  # campaigns: a partner webhook's signing secret, sealed
    TELEGRAM_WEBHOOK = "telegram-webhook"  # the secret token Telegram sends with each update
    TOTP = "totp"  # a staff member's TOTP secret, sealed
    TIP_DRAFT_REPORT = "tip-draft:report"  # a report being written: blind index and box
    CHECK_SESSION = "check-session"  # a "check my report" session in memory: blind index
    PENDING_RECEIPT = "pending-receipt"  # a Send button's token: blind index of the kept receipt
    TIP_DRAFT_FILE = "tip-draft-file"  # a file attached to a draft, sealed
    TIP_NOTIFY = "tip-notify"  # a reporter's chat id kept for one reply notice, sealed
    UPDATE_LANE = "update-lane"  # the bot's per-chat update queues, in memory
    ABUSE_LIMIT = "abuse-limit"  # in-memory abuse buckets: the bucket's name and the chat id
    RECEIPT_SALT = "receipt-salt"  # site salt of the receipt lookup digest
    RECEIPT_KEY_SALT = "receipt-key-salt"  # site salt of the receipt's own key
    STAFF_SESSION = "staff-session"  # admin: blind index of a session cookie's id
    SIGN_IN_ACCOUNT = "sign-in-account"  # admin: failed sign-ins counted per username
    SIGN_IN_SOURCE = "sign-in-source"  # admin: failed sign-ins counted per source address
    ANONYMOUS_FORM = "anonymous-form"  # admin: CSRF token of forms shown before signing in
    TIP_HELD_KEY = "tip-held-key"  # tips: a tip key held for escalation (tips.escalation)
    TIP_LINK = "tip-link"  # tips: keyed hash of a phone, handle, IBAN or plate named in a tip
    STAFF_CHAT = "staff-chat"  # a staff member's linked Telegram chat: blind index and box
    STAFF_LINK_CODE = "staff-link-code"  # the one-time code that links it: blind index
    SURVEY_PROGRESS = "survey-progress"  # surveys being answered: blind index and box
    SURVEY_GUARD = "survey-guard"  # "this chat answered this survey": blind index


def _purpose(purpose: Purpose | str) -> Purpose:
    """The Purpose named by `purpose`; ValueError for anything that is not one of its values."""
    try:
        return Purpose(purpose)
    except ValueError:
        raise ValueError(f"unknown key purpose {purpose!r}: add it to crypto.Purpose") from None


@contextmanager
def _opening() -> Iterator[None]:
    """Turns the library's failure to open a box into our DecryptionError."""
    try:
        yield
    except DecryptionError:
        raise
    except nacl.exceptions.CryptoError as error:
        raise DecryptionError(str(error)) from None


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


@functools.lru_cache(maxsize=64)
def _subkey(label: str) -> bytes:
    """A 32-byte key for one label, derived from the server secret."""
    root = nacl.hash.blake2b(_server_secret(), digest_size=64, encoder=nacl.encoding.RawEncoder)
    return nacl.hash.blake2b(
        label.encode(),
        key=root,
        person=b"aman-subkey",
        digest_size=32,
        encoder=nacl.encoding.RawEncoder,
    )


def blind_index(purpose: Purpose | str, value: str | int) -> str:
    """A stable keyed hash of `value` (hex), to find rows by a value that is never stored."""
    return nacl.hash.blake2b(
        str(value).encode(),
        key=_subkey(f"blind-index:{_purpose(purpose).value}"),
        digest_size=32,
        encoder=nacl.encoding.HexEncoder,
    ).decode()


def _at_rest_box(purpose: Purpose | str) -> nacl.secret.SecretBox:
    return nacl.secret.SecretBox(_subkey(f"secretbox:{_purpose(purpose).value}"))


def seal_at_rest(plaintext: bytes, purpose: Purpose | str = Purpose.AT_REST) -> bytes:
    """Encrypt with the server's at-rest key for `purpose` (nonce included in the output)."""
    return bytes(_at_rest_box(purpose).encrypt(plaintext))


def open_at_rest(ciphertext: bytes, purpose: Purpose | str = Purpose.AT_REST) -> bytes:
    """Decrypt what `seal_at_rest` produced; DecryptionError if tampered with."""
    box = _at_rest_box(purpose)
    with _opening():
        return box.decrypt(ciphertext)


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
#   Its cost is written beside each digest as a label ("argon2id:t=3,m=65536,p=1", see
#   `receipt_kdf`), so a later change of cost never makes an old receipt unfindable.


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
    """Choose the Argon2id cost for new hashes and wraps (None = MODERATE). Existing blobs,
    hashes and receipts keep the cost they were made with, so changing it locks nobody out."""
    global _limits
    _limits = limits or MODERATE


def kdf_limits() -> KdfLimits:
    return _limits


# --- The Argon2id budget ------------------------------------------------------------------------
#
# Each derivation holds `memory_cost` KiB (64 MiB at MODERATE) for a few hundred milliseconds.
# Async callers all go through `_argon2`: at most ARGON2_THREADS run at once, on threads of their
# own (named ARGON2_THREAD_PREFIX-N), and the others wait in line on the event loop, where a
# waiting caller costs a coroutine and nothing else and can still be cancelled. The event loop's
# default executor, which aiohttp and Tortoise's SQLite driver need, is never used for this.

ARGON2_THREADS = 2
ARGON2_THREAD_PREFIX = "aman-argon2"
_argon2_pool = ThreadPoolExecutor(
    max_workers=ARGON2_THREADS, thread_name_prefix=ARGON2_THREAD_PREFIX
)
_argon2_lines: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = (
    weakref.WeakKeyDictionary()
)


async def _argon2(work: Callable[..., T], *args: object) -> T:
    """Run `work(*args)` within the Argon2id budget, off the event loop."""
    loop = asyncio.get_running_loop()
    line = _argon2_lines.get(loop)
    if line is None:  # one per event loop: an asyncio.Semaphore belongs to the loop it waits on
        line = _argon2_lines[loop] = asyncio.Semaphore(ARGON2_THREADS)
    async with line:
        return await loop.run_in_executor(_argon2_pool, functools.partial(work, *args))


def new_content_key() -> bytes:
    """A fresh 32-byte XSalsa20-Poly1305 key for one tip."""
    return nacl.utils.random(nacl.secret.SecretBox.KEY_SIZE)


def encrypt_content(key: bytes, plaintext: bytes) -> bytes:
    """SecretBox (XSalsa20-Poly1305) under a tip key; the random nonce is part of the output."""
    return bytes(nacl.secret.SecretBox(key).encrypt(plaintext))


def decrypt_content(key: bytes, ciphertext: bytes) -> bytes:
    """Open what `encrypt_content` made; DecryptionError when tampered with or the wrong key."""
    with _opening():
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
    """Open a sealed box with the matching private key; DecryptionError if not sealed to it."""
    with _opening():
        return nacl.public.SealedBox(nacl.public.PrivateKey(private_key)).decrypt(sealed)


_WRAP_PASSWORD = b"AP1"  # blob: tag | opslimit (u32) | memlimit (u64) | salt (16) | SecretBox
_WRAP_RECOVERY = b"AR1"  # blob: tag | salt (16) | SecretBox


def wrap_with_password(secret: bytes, password: str, limits: KdfLimits | None = None) -> bytes:
    """Encrypt `secret` under a key derived from `password` with Argon2id (libsodium's
    crypto_pwhash, random salt); the cost is stored in the blob so it can be raised later.
    Blocking: async code calls `wrap_with_password_async`."""
    limits = limits or _limits
    salt = nacl.utils.random(nacl.pwhash.argon2id.SALTBYTES)
    key = _password_key(password, salt, limits.opslimit, limits.memlimit)
    header = _WRAP_PASSWORD + struct.pack(">IQ", limits.opslimit, limits.memlimit) + salt
    return header + bytes(nacl.secret.SecretBox(key).encrypt(secret))


def unwrap_with_password(blob: bytes, password: str) -> bytes:
    """Open `wrap_with_password`'s blob; DecryptionError when the password is wrong, ValueError
    when the blob is not one. Blocking: async code calls `unwrap_with_password_async`."""
    if blob[:3] != _WRAP_PASSWORD:
        raise ValueError("not a password-wrapped key")
    opslimit, memlimit = struct.unpack(">IQ", blob[3:15])
    salt, box = blob[15:31], blob[31:]
    key = _password_key(password, salt, opslimit, memlimit)
    with _opening():
        return nacl.secret.SecretBox(key).decrypt(box)


async def wrap_with_password_async(
    secret: bytes, password: str, limits: KdfLimits | None = None
) -> bytes:
    """`wrap_with_password` within the Argon2id budget."""
    return await _argon2(wrap_with_password, secret, password, limits or _limits)


async def unwrap_with_password_async(blob: bytes, password: str) -> bytes:
    """`unwrap_with_password` within the Argon2id budget."""
    return await _argon2(unwrap_with_password, blob, password)


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
    """Open `wrap_with_recovery_key`'s blob; DecryptionError for the wrong recovery key."""
    if blob[:3] != _WRAP_RECOVERY:
        raise ValueError("not a recovery-wrapped key")
    salt, box = blob[3:19], blob[19:]
    key = _recovery_wrap_key(recovery_key, salt)
    with _opening():
        return nacl.secret.SecretBox(key).decrypt(box)


def _recovery_wrap_key(recovery_key: str, salt: bytes) -> bytes:
    return nacl.hash.blake2b(
        _normalise_recovery_key(recovery_key),
        key=salt,
        person=b"aman-recovery",
        digest_size=32,
        encoder=nacl.encoding.RawEncoder,
    )


def hash_password(password: str) -> str:
    """An Argon2id PHC string for signing in (its own random salt and cost inside).
    Blocking: async code calls `hash_password_async`."""
    hasher = argon2.PasswordHasher(
        time_cost=_limits.time_cost, memory_cost=_limits.memory_cost, parallelism=1
    )
    return hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """True when `password` matches; never raises for a wrong or malformed hash.
    Blocking: async code calls `verify_password_async`."""
    try:
        return argon2.PasswordHasher().verify(password_hash, password)
    except (argon2.exceptions.VerificationError, argon2.exceptions.InvalidHashError):
        return False


async def hash_password_async(password: str) -> str:
    """`hash_password` within the Argon2id budget."""
    return await _argon2(hash_password, password)


async def verify_password_async(password_hash: str, password: str) -> bool:
    """`verify_password` within the Argon2id budget."""
    return await _argon2(verify_password, password_hash, password)


# --- Receipts -----------------------------------------------------------------------------------

_KDF_LABEL = re.compile(r"argon2id:t=(\d{1,3}),m=(\d{1,8}),p=(\d{1,2})")


def receipt_kdf(limits: KdfLimits | None = None) -> str:
    """The label of the Argon2id cost new receipts are hashed with (the current one by
    default), as stored beside each digest: "argon2id:t=3,m=65536,p=1" (m in KiB)."""
    limits = limits or _limits
    return f"argon2id:t={limits.time_cost},m={limits.memory_cost},p=1"


def _kdf_cost(kdf: str | None) -> tuple[int, int, int]:
    """(time cost, memory KiB, lanes) from a receipt's kdf label; ValueError if not one."""
    found = _KDF_LABEL.fullmatch(kdf or receipt_kdf())
    if found is None:
        raise ValueError(f"not a receipt kdf label: {kdf!r}")
    time_cost, memory_cost, lanes = (int(group) for group in found.groups())
    # Bounded, so that even a tampered label cannot make one check cost minutes or gigabytes.
    if not (1 <= time_cost <= 32 and 1 <= lanes <= 16 and 8 * lanes <= memory_cost <= 1024**2):
        raise ValueError(f"receipt kdf out of range: {kdf!r}")
    return time_cost, memory_cost, lanes


def _receipt_argon2(receipt: str, salt_purpose: Purpose, kdf: str | None) -> bytes:
    time_cost, memory_cost, lanes = _kdf_cost(kdf)
    return argon2.low_level.hash_secret_raw(
        receipt.encode(),
        _subkey(salt_purpose.value)[:16],
        time_cost=time_cost,
        memory_cost=memory_cost,
        parallelism=lanes,
        hash_len=32,
        type=argon2.low_level.Type.ID,
    )


def receipt_hash_sync(receipt: str, kdf: str | None = None) -> str:
    """Argon2id (raw, 32 bytes, hex) of a receipt with the site salt derived from the server
    secret, at the cost `kdf` labels (the current one by default): the lookup digest.
    Blocking: async code calls `receipt_hash` or `open_receipt`."""
    return _receipt_argon2(receipt, Purpose.RECEIPT_SALT, kdf).hex()


def receipt_key_sync(receipt: str, kdf: str | None = None) -> bytes:
    """A 32-byte SecretBox key from a receipt: Argon2id with a second site salt (a separate
    pepper from the lookup hash, so the stored digest never doubles as the key). It lets the
    reporter, and only someone holding the receipt, open their own tip to read replies."""
    return _receipt_argon2(receipt, Purpose.RECEIPT_KEY_SALT, kdf)


@dataclass(frozen=True)
class ReceiptSecrets:
    """What one receipt gives at one cost: the lookup digest and the key its tip key is sealed
    under, with the label of that cost."""

    digest: str
    key: bytes
    kdf: str


def _receipt_secrets(receipt: str, kdf: str) -> ReceiptSecrets:
    return ReceiptSecrets(receipt_hash_sync(receipt, kdf), receipt_key_sync(receipt, kdf), kdf)


async def open_receipt(receipt: str, kdf: str | None = None) -> ReceiptSecrets:
    """Digest and key of a receipt at the cost `kdf` labels (the current one by default): both
    derivations in one turn of the Argon2id budget, so a receipt check waits in line once."""
    kdf = kdf or receipt_kdf()
    _kdf_cost(kdf)  # refuse a bad label here, not in a worker thread
    return await _argon2(_receipt_secrets, receipt, kdf)


async def receipt_hash(receipt: str, kdf: str | None = None) -> str:
    """`receipt_hash_sync` within the Argon2id budget."""
    return await _argon2(receipt_hash_sync, receipt, kdf or receipt_kdf())


async def receipt_key(receipt: str, kdf: str | None = None) -> bytes:
    """`receipt_key_sync` within the Argon2id budget."""
    return await _argon2(receipt_key_sync, receipt, kdf or receipt_kdf())


# --- Signatures for partner systems -----------------------------------------------------------


def hmac_sha256(key: bytes, message: bytes) -> str:
    """HMAC-SHA256 (RFC 2104) of `message` under `key`, hex: signs webhooks sent to partners."""
    import hashlib
    import hmac

    return hmac.new(key, message, hashlib.sha256).hexdigest()
