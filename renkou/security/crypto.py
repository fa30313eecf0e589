"""Encryption of sensitive fields at rest, and keyed blind indexes for lookups.

A value is stored as ``enc1$<algorithm>$<key id>$<base64(nonce | ciphertext | tag)>``.
The algorithm is pluggable: AES-256-GCM by default, SM4-GCM (GB/T 32907) for
deployments that must pass a commercial-cryptography review (密评). Keys are
named; the first configured key encrypts, every configured key decrypts, so
keys rotate by adding a new one in front and running ``renkou rotate-keys``.

Encryption is randomised, so equal values do not look equal in the database;
exact-match lookups use a separate HMAC "blind index" of the normalised value.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

PREFIX = "enc1"
NONCE_BYTES = 12
TAG_BYTES = 16


class CryptoError(ValueError):
    pass


def _aes_gcm_encrypt(key: bytes, nonce: bytes, data: bytes) -> bytes:
    return AESGCM(key).encrypt(nonce, data, None)


def _aes_gcm_decrypt(key: bytes, nonce: bytes, data: bytes) -> bytes:
    return AESGCM(key).decrypt(nonce, data, None)


def _sm4_gcm_encrypt(key: bytes, nonce: bytes, data: bytes) -> bytes:
    encryptor = Cipher(algorithms.SM4(key[:16]), modes.GCM(nonce)).encryptor()
    return encryptor.update(data) + encryptor.finalize() + encryptor.tag


def _sm4_gcm_decrypt(key: bytes, nonce: bytes, data: bytes) -> bytes:
    body, tag = data[:-TAG_BYTES], data[-TAG_BYTES:]
    decryptor = Cipher(algorithms.SM4(key[:16]), modes.GCM(nonce, tag)).decryptor()
    return decryptor.update(body) + decryptor.finalize()


@dataclass(frozen=True)
class Algorithm:
    name: str
    key_bytes: int
    encrypt: Callable[[bytes, bytes, bytes], bytes]
    decrypt: Callable[[bytes, bytes, bytes], bytes]


ALGORITHMS = {
    "aes-256-gcm": Algorithm("aes-256-gcm", 32, _aes_gcm_encrypt, _aes_gcm_decrypt),
    "sm4-gcm": Algorithm("sm4-gcm", 16, _sm4_gcm_encrypt, _sm4_gcm_decrypt),
}


@dataclass(frozen=True)
class Keyring:
    algorithm: Algorithm
    keys: dict[str, bytes]  # key id -> key, the current one first
    index_key: bytes

    @property
    def current_id(self) -> str:
        return next(iter(self.keys))


def _parse_keys(text: str) -> dict[str, bytes]:
    keys: dict[str, bytes] = {}
    for part in text.split(","):
        part = part.strip()
        if not part:
            continue
        key_id, _, encoded = part.partition(":")
        if not key_id or not encoded:
            raise CryptoError("FIELD_ENCRYPTION_KEYS 的格式应为 id:base64密钥[,id:base64密钥…]")
        keys[key_id] = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
    return keys


def new_key_text(key_id: str, algorithm: str = "aes-256-gcm") -> str:
    raw = os.urandom(ALGORITHMS[algorithm].key_bytes)
    return f"{key_id}:{base64.urlsafe_b64encode(raw).decode().rstrip('=')}"


@cache
def _keyring(algorithm: str, keys_text: str, index_key: str) -> Keyring:
    if algorithm not in ALGORITHMS:
        raise CryptoError(f"不支持的加密算法：{algorithm}（可选：{'、'.join(ALGORITHMS)}）")
    spec = ALGORITHMS[algorithm]
    keys = _parse_keys(keys_text)
    if not keys:
        raise CryptoError("没有配置字段加密密钥（FIELD_ENCRYPTION_KEYS）")
    for key_id, key in keys.items():
        if len(key) < spec.key_bytes:
            raise CryptoError(f"密钥 {key_id} 太短：{algorithm} 需要{spec.key_bytes}字节")
    return Keyring(spec, keys, index_key.encode("utf-8"))


def keyring() -> Keyring:
    return _keyring(
        str(settings.FIELD_ENCRYPTION_ALGORITHM),
        str(settings.FIELD_ENCRYPTION_KEYS),
        str(settings.BLIND_INDEX_KEY),
    )


def encrypt(plain: str) -> str:
    ring = keyring()
    nonce = os.urandom(NONCE_BYTES)
    key_id = ring.current_id
    sealed = ring.algorithm.encrypt(ring.keys[key_id], nonce, plain.encode("utf-8"))
    body = base64.b64encode(nonce + sealed).decode("ascii")
    return f"{PREFIX}${ring.algorithm.name}${key_id}${body}"


def is_encrypted(stored: str) -> bool:
    return stored.startswith(PREFIX + "$")


def decrypt(stored: str) -> str:
    try:
        prefix, algorithm, key_id, body = stored.split("$", 3)
    except ValueError as exc:
        raise CryptoError("不是加密值") from exc
    if prefix != PREFIX or algorithm not in ALGORITHMS:
        raise CryptoError("不是加密值")
    ring = keyring()
    key = ring.keys.get(key_id)
    if key is None:
        raise CryptoError(f"缺少解密密钥 {key_id}（密钥轮换后旧密钥须保留到重新加密完成）")
    raw = base64.b64decode(body)
    try:
        return (
            ALGORITHMS[algorithm].decrypt(key, raw[:NONCE_BYTES], raw[NONCE_BYTES:]).decode("utf-8")
        )
    except Exception as exc:  # the library raises InvalidTag, or ValueError for bad input
        raise CryptoError("解密失败：密文被改动或密钥不符") from exc


def needs_rotation(stored: str) -> bool:
    if not is_encrypted(stored):
        return True
    _prefix, algorithm, key_id, _body = stored.split("$", 3)
    ring = keyring()
    return key_id != ring.current_id or algorithm != ring.algorithm.name


def normalise(value: str) -> str:
    """What counts as "the same" for lookups: NFKC, no spaces or dashes, upper case
    (so an ID number's final x matches X)."""
    text = unicodedata.normalize("NFKC", value)
    return "".join(ch for ch in text if ch not in " -\t").upper()


def blind_index(value: str, *, purpose: str) -> str:
    """A keyed hash for exact-match lookup; ``purpose`` keeps fields apart."""
    if not value:
        return ""
    message = f"{purpose}\x00{normalise(value)}".encode()
    return hmac.new(keyring().index_key, message, hashlib.sha256).hexdigest()
