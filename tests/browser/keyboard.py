"""Driving a page with the keyboard alone, as a person who cannot use a mouse would.

`tab_to` presses Tab until the wanted control has focus, and on the way checks that every
stop shows where focus is (WCAG 2.4.7) and that focus moves on (no trap, 2.1.2). Nothing
here clicks or fills a field directly.
"""

from __future__ import annotations

import re

MAX_TABS = 120
_DATE_BOX = re.compile(r'^<input[^>]*type="(date|time|datetime-local)"')

# GOV.UK shows focus as a yellow outline, shadow or background; a radio or checkbox (an
# invisible input) shows it on its label's ::before.
_FOCUS_SHOWN = """() => {
    const el = document.activeElement
    if (!el || el === document.body) return ''  // past the last stop: the browser's own
    // A date box's calendar button is the browser's own, inside the box, with its own ring.
    if (el.matches('input[type=date], input[type=time]') && !el.matches(':focus')) return ''
    const style = getComputedStyle(el)
    const shown = (s) => (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0
                          && s.outlineColor !== 'rgba(0, 0, 0, 0)')
                         || (s.boxShadow && s.boxShadow !== 'none')
                         || s.backgroundColor === 'rgb(255, 221, 0)'
    let visible = shown(style)
    if (!visible && el.matches('.govuk-radios__input, .govuk-checkboxes__input')) {
        visible = shown(getComputedStyle(el.labels[0], '::before'))
    }
    return visible ? '' : `no visible focus on ${el.outerHTML.slice(0, 120)}`
}"""


def focused(page, target) -> bool:
    """Whether `target` (a locator, or a CSS selector) has focus now."""
    if isinstance(target, str):
        return page.evaluate("s => document.activeElement.matches(s)", target)
    return target.evaluate("el => el === document.activeElement")


def tab_to(page, target, backwards: bool = False) -> None:
    """Tab (or Shift+Tab) until `target` has focus; fails on a trap or an invisible focus."""
    if focused(page, target):
        return
    key = "Shift+Tab" if backwards else "Tab"
    previous, repeats = None, 0
    for _ in range(MAX_TABS):
        page.keyboard.press(key)
        problem = page.evaluate(_FOCUS_SHOWN)
        assert not problem, problem
        current = page.evaluate("() => document.activeElement.outerHTML")
        repeats = repeats + 1 if current == previous else 0
        # A browser's date box takes a Tab for each of its day, month and year parts.
        allowed = 3 if _DATE_BOX.search(current) else 0
        assert repeats <= allowed or current.startswith("<body"), f"stuck on {current[:120]}"
        previous = current
        if focused(page, target):
            return
    raise AssertionError(f"{MAX_TABS} presses of {key} did not reach {target}")


def type_into(page, locator, text: str) -> None:
    tab_to(page, locator)
    page.keyboard.type(text)


def type_date(page, name: str, iso: str) -> None:
    """A GOV.UK date input: day, month and year, one Tab apart."""
    year, month, day = iso.split("-")
    tab_to(page, page.locator(f"input[name='{name}-day']"))
    for part in (str(int(day)), str(int(month)), year):
        page.keyboard.type(part)
        if part != year:
            page.keyboard.press("Tab")


def choose(page, name: str, value: str) -> None:
    """A radio group: Tab lands on the group, the arrow keys move to (and pick) the answer."""
    target = page.locator(f"input[name='{name}'][value='{value}']")
    tab_to(page, f"input[name='{name}']")
    for _ in range(20):
        if focused(page, target):
            page.keyboard.press("Space")
            return
        page.keyboard.press("ArrowDown")
    raise AssertionError(f"no radio {name}={value}")


def larger_text(page) -> None:
    """Text at 200%, as a browser's text size setting gives (GOV.UK sizes text in rem)."""
    page.evaluate("document.documentElement.style.fontSize = '200%'")


def tick(page, locator) -> None:
    tab_to(page, locator)
    page.keyboard.press("Space")


def pick(page, locator, value: str) -> None:
    """A select: focus it, then move through its options with the arrow keys."""
    tab_to(page, locator)
    for _ in range(200):
        if locator.input_value() == value:
            return
        page.keyboard.press("ArrowDown")
    raise AssertionError(f"no option {value} in {locator}")


def press_on(page, locator, navigates: bool = True, backwards: bool = False) -> None:
    """Reach a link or button by Tab and press Enter on it (waiting for the page it opens)."""
    tab_to(page, locator, backwards=backwards)
    if not navigates:
        page.keyboard.press("Enter")
        return
    with page.expect_navigation():
        page.keyboard.press("Enter")


def sign_in(page, username: str, password: str) -> None:
    page.goto("/sign-in")
    type_into(page, page.get_by_label("Username"), username)
    page.keyboard.press("Tab")
    page.keyboard.type(password)
    with page.expect_navigation():
        page.keyboard.press("Enter")
