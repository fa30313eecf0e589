"""Masked display of personal data (PIPL: show the minimum)."""

from __future__ import annotations


def mask_phone(phone: str) -> str:
    """138****1234"""
    digits = phone.strip()
    if len(digits) < 7:
        return "*" * len(digits)
    return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]


def mask_id_number(number: str) -> str:
    """110105********1234 — region code and the last four stay."""
    text = number.strip()
    if len(text) < 10:
        return "*" * len(text)
    return text[:6] + "*" * (len(text) - 10) + text[-4:]


def mask_name(name: str) -> str:
    """张* / 张** — the family name stays."""
    text = name.strip()
    if len(text) <= 1:
        return text
    return text[0] + "*" * (len(text) - 1)
