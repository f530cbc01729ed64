"""Helpers for the journey tests: screenshots of each page, form filling, an accessibility scan."""

from __future__ import annotations

import os
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "webui" / "node_modules" / "axe-core" / "axe.min.js"
SHOTS = Path(os.environ.get("CPC_SCREENSHOTS", Path(__file__).parent / "screenshots"))
SERIOUS = {"serious", "critical"}


def shot(page, name: str) -> Path:
    """Save a full-page screenshot of what the person sees now (kept after the run)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{re.sub(r'[^a-z0-9-]+', '-', name.lower())}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def fill_date(page, name: str, iso: str) -> None:
    year, month, day = iso.split("-")
    page.locator(f"input[name='{name}-day']").fill(str(int(day)))
    page.locator(f"input[name='{name}-month']").fill(str(int(month)))
    page.locator(f"input[name='{name}-year']").fill(year)


def with_axe(page) -> None:
    """Load axe-core into every page of this context (an init script: the CSP does not apply)."""
    page.context.add_init_script(path=str(AXE))


def serious_violations(page) -> list[dict]:
    """axe-core's WCAG 2.x A/AA violations on the current page rated serious or critical."""
    found = page.evaluate(
        """async () => {
            const result = await axe.run(document, {
                runOnly: {
                    type: 'tag',
                    values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'],
                },
                resultTypes: ['violations'],
            })
            return result.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                targets: v.nodes.map(n => n.target.join(' ')).slice(0, 5),
            }))
        }"""
    )
    return [v for v in found if v["impact"] in SERIOUS]
