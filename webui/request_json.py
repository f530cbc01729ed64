"""Every JSON body a request sends is read here, and read only if nested at most 32 deep.

Python's parser recurses once per level of nesting, so a 2 KB body nested 1,000 deep raised
`RecursionError` (a server error, no token needed) in whichever code read it first: the text
guard before any view, or an API view. Flask parses every request's JSON through the app's
JSON provider, so the limit is set once, there: JSON nested deeper is not JSON this app reads,
a `ValueError` like any malformed body (read with `silent=True` it is nothing sent; read
without, a 400 that says why), and code that walks what was sent can recurse safely.
"""

from __future__ import annotations

import json
import re
from itertools import accumulate

from flask import Flask
from flask.json.provider import DefaultJSONProvider

MAX_DEPTH = 32  # the API's deepest request body is 3 levels
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}


def too_deep(text: str) -> bool:
    """Whether `text` nests arrays and objects more than MAX_DEPTH deep (brackets inside
    strings do not count). Linear, and without recursion, so it is safe on any body."""
    if text.count("[") + text.count("{") <= MAX_DEPTH:
        return False
    brackets = _NOT_BRACKET.sub("", _STRING.sub("", text))
    return max(accumulate(map(_STEP.__getitem__, brackets)), default=0) > MAX_DEPTH


class BoundedJSON(DefaultJSONProvider):
    def loads(self, s: str | bytes, **kwargs):
        if isinstance(s, bytes | bytearray):
            s = s.decode(json.detect_encoding(s), "surrogatepass")  # as json.loads does
        if too_deep(s):
            raise ValueError(f"JSON nested more than {MAX_DEPTH} deep is not accepted.")
        return super().loads(s, **kwargs)


def init_app(app: Flask) -> None:
    app.json = BoundedJSON(app)
