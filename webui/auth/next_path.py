"""Where to go after signing in: only a path on this site, never another site.

Browsers read `//host`, `/\\host` and paths with tabs or newlines (which they strip) as
addresses elsewhere, so anything but a plain path of this site's own falls back to the inbox.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from flask import url_for

# A path: starts with one "/" then a character that is neither "/" nor "\"; printable ASCII
# without spaces or backslashes anywhere (a browser strips tabs and newlines, then reads on).
SAFE = re.compile(r"/(?![/\\])[!-\[\]-~]*")


def safe_next(target: str | None) -> str:
    if not target or len(target) > 2000 or not SAFE.fullmatch(target):
        return url_for("inbox.index")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return url_for("inbox.index")
    return target
