"""core.crypto is the one door to the ciphers: nothing else in the house imports one, every key
has a named purpose, and a box that does not open says so in the kernel's own words."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from core import crypto

ROOT = Path(__file__).resolve().parents[2]
SKIPPED_DIRS = {".venv", "var", "node_modules", "build", "dist", ".git"}
# Libraries that hold ciphers or hash functions someone could build a key with.
CIPHER_MODULES = {"nacl", "argon2", "hashlib", "hmac", "cryptography", "Crypto", "Cryptodome"}
# hmac.compare_digest is a constant-time comparison, not a key: it may be used anywhere.
HARMLESS = {("hmac", "compare_digest")}
HARMLESS_LIBRARIES = {library for library, _name in HARMLESS}
NOT_YET_SWITCHED: set[str] = set()


def _python_files() -> list[Path]:
    found = []
    for path in ROOT.rglob("*.py"):
        parts = path.relative_to(ROOT).parts
        if not SKIPPED_DIRS.intersection(parts):
            found.append(path)
    return found


def _cipher_uses(tree: ast.AST) -> list[str]:
    """What in this module imports a cipher library (or, for hmac, uses more than the
    comparison)."""
    uses = []
    bound: dict[str, str] = {}  # local name -> library, for `import hmac` and the like
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                top = alias.name.split(".")[0]
                if top in CIPHER_MODULES:
                    bound[alias.asname or top] = top
                    if top not in HARMLESS_LIBRARIES:
                        uses.append(f"import {alias.name}")
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            top = node.module.split(".")[0]
            for alias in node.names:
                if top in CIPHER_MODULES and (top, alias.name) not in HARMLESS:
                    uses.append(f"from {node.module} import {alias.name}")
    qualified = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            library = bound.get(node.value.id)
            if library in HARMLESS_LIBRARIES:
                qualified.add(id(node.value))
                if (library, node.attr) not in HARMLESS:
                    uses.append(f"{node.value.id}.{node.attr}")
    for node in ast.walk(tree):  # the module itself handed around: anything may be done with it
        if isinstance(node, ast.Name) and bound.get(node.id) in HARMLESS_LIBRARIES:
            if id(node) not in qualified:
                uses.append(node.id)
    return uses


def test_only_core_crypto_imports_ciphers() -> None:
    files = _python_files()
    assert ROOT / "core" / "crypto.py" in files and len(files) > 50
    offenders = {}
    for path in files:
        name = path.relative_to(ROOT).as_posix()
        if name == "core/crypto.py" or name in NOT_YET_SWITCHED:
            continue
        uses = _cipher_uses(ast.parse(path.read_text(encoding="utf-8"), filename=name))
        if uses:
            offenders[name] = sorted(set(uses))
    assert offenders == {}


def test_the_boundary_check_sees_a_cipher_wherever_it_is_imported() -> None:
    sneaky = """
import hmac
from hmac import compare_digest
import nacl.secret as box
from argon2.low_level import hash_secret_raw
def f(k, m):
    compare_digest(m, m)
    return hmac.new(k, m, "sha256"), box.SecretBox(k)
"""
    assert sorted(_cipher_uses(ast.parse(sneaky))) == [
        "from argon2.low_level import hash_secret_raw",
        "hmac.new",
        "import nacl.secret",
    ]
    assert _cipher_uses(ast.parse("import hmac\nok = hmac.compare_digest('a', 'b')")) == []
    assert _cipher_uses(ast.parse("import hmac\nnew = getattr(hmac, 'new')")) == ["hmac"]


def test_an_unknown_key_purpose_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown key purpose"):
        crypto.blind_index("chats", 4242)
    with pytest.raises(ValueError, match="unknown key purpose"):
        crypto.seal_at_rest(b"secret", purpose="tip-draft:anything")
    with pytest.raises(ValueError, match="unknown key purpose"):
        crypto.open_at_rest(crypto.seal_at_rest(b"x", crypto.Purpose.TOTP), "abuse:submit")


def test_a_purpose_named_by_its_old_string_gives_the_same_key() -> None:
    """Call sites still passing the plain strings keep finding and opening their rows."""
    assert crypto.blind_index("chat", 4242) == crypto.blind_index(crypto.Purpose.CHAT, 4242)
    assert crypto.blind_index(crypto.Purpose.TIP_DRAFT_REPORT, 1) == crypto.blind_index(
        f"tip-draft:{'report'}", 1
    )
    sealed = crypto.seal_at_rest(b"chat 4242", "tip-notify")
    assert crypto.open_at_rest(sealed, crypto.Purpose.TIP_NOTIFY) == b"chat 4242"
    with pytest.raises(crypto.DecryptionError):  # another purpose is another key
        crypto.open_at_rest(sealed, crypto.Purpose.TIP_DRAFT_FILE)
    assert crypto.blind_index(crypto.Purpose.CHAT, 1) != crypto.blind_index(
        crypto.Purpose.SUBSCRIBER, 1
    )


def test_whatever_does_not_open_raises_the_kernels_own_error() -> None:
    key = crypto.new_content_key()
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt_content(key, crypto.encrypt_content(crypto.new_content_key(), b"tip"))
    public, _private = crypto.generate_key_pair()
    _other_public, other_private = crypto.generate_key_pair()
    with pytest.raises(crypto.DecryptionError):
        crypto.open_sealed(other_private, crypto.seal_to(public, b"tip key"))
    with pytest.raises(crypto.DecryptionError):
        crypto.unwrap_with_password(crypto.wrap_with_password(b"k" * 32, "right"), "wrong")
    recovery = crypto.new_recovery_key()
    with pytest.raises(crypto.DecryptionError):
        crypto.unwrap_with_recovery_key(
            crypto.wrap_with_recovery_key(b"k" * 32, recovery), crypto.new_recovery_key()
        )
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt_content(key, b"too short")
