"""Text a database can store: no NUL (PostgreSQL text cannot hold one) and no lone UTF-16
surrogate (neither driver can encode it). The request guard and the forms both ask this."""

from __future__ import annotations


def storable(text: str) -> bool:
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
