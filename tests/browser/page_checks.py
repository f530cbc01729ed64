"""Checks every page must pass, at a phone's width and a desktop's: axe-core's WCAG 2.2 A/AA
rules (no serious or critical violation), no sideways scrolling at 320 CSS px (WCAG 1.4.10,
Reflow), nothing in the browser's console. Problems are gathered, not raised, so one run
shows them all."""

from __future__ import annotations

import re
from collections import deque
from urllib.parse import urljoin, urlsplit

from tests.browser.journeys import serious_violations

NARROW, WIDE = 320, 1280
# Files, downloads and the API are not pages; signing out would end the walk.
NOT_PAGES = re.compile(
    r"^/(api|assets|static|vendor|frontend|report-files|sign-out)\b|/files/|\.\w+$"
)
# Pages whose content differs by role: each role's own is checked.
PER_ROLE = {"/", "/inbox", "/children/N", "/tasks/N"}
PAGES_PER_ROLE = 40


def kind_of(path: str) -> str:
    """A page's kind: its path with every id (any segment holding a digit) as `N`, and the
    name of a diagram as `P`, so one child, task or diagram stands for all."""
    kind = re.sub(r"/[^/]*\d[^/]*", "/N", urlsplit(path).path)
    return re.sub(r"^/diagrams/[^/]+", "/diagrams/P", kind)


def links(page) -> list[str]:
    return page.eval_on_selector_all("a[href]", "links => links.map(a => a.getAttribute('href'))")


def wider_than(page, width: int) -> int | None:
    """The page's width if it scrolls sideways in a viewport `width` wide."""
    wide = page.evaluate("document.documentElement.scrollWidth")
    return wide if wide > width else None


class Checker:
    """Visits pages in one browser tab (axe loaded by `with_axe`) and notes every problem."""

    def __init__(self, page):
        self.page = page
        self.problems: list[str] = []
        self.console: list[str] = []
        self.visited = 0
        page.on("console", lambda m: self.console.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda error: self.console.append(str(error)))

    def check(self, path: str, who: str) -> None:
        """The page as it is now, at both widths (leaving it at the narrow one)."""
        page = self.page
        self.visited += 1
        for width in (WIDE, NARROW):
            page.set_viewport_size({"width": width, "height": 800})
            wide = wider_than(page, NARROW) if width == NARROW else None
            if wide:
                self.problems.append(f"{who} {path}: {wide} px wide at {NARROW}")
            for violation in serious_violations(page):
                self.problems.append(f"{who} {path} at {width}: {violation}")
        if self.console:
            self.problems.append(f"{who} {path}: console {self.console}")
            self.console.clear()

    def visit(self, path: str, who: str, status: int = 200) -> None:
        response = self.page.goto(path)
        if self.page.locator("script[src*='bpmn-js']").count():  # it fetches the diagram
            self.page.wait_for_load_state("networkidle")
        if response is None or response.status != status:
            self.problems.append(f"{who} {path}: status {response and response.status}")
        if status != 200:  # the browser reports the page's own status as an error
            refused = f"the server responded with a status of {status}"
            self.console[:] = [line for line in self.console if refused not in line]
        self.check(path, who)

    def walk(self, who: str, seen: set[str], starts: list[str]) -> None:
        """Breadth first from `starts` through the links a person can follow, one page of
        each kind (`seen` is shared between roles)."""
        queue, mine = deque(starts), 0
        while queue and mine < PAGES_PER_ROLE:
            path = queue.popleft()
            kind = kind_of(path)
            key = f"{who} {kind}" if kind in PER_ROLE else kind
            if key in seen:
                continue
            seen.add(key)
            mine += 1
            self.visit(path, who)
            for href in links(self.page):
                parts = urlsplit(urljoin(path, href))
                if parts.scheme or parts.netloc or NOT_PAGES.search(parts.path):
                    continue
                queue.append(parts.path + (f"?{parts.query}" if parts.query else ""))
