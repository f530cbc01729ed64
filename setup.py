"""Build step: ship the folders the app reads inside the wheel, as the package `cpc_data`.

The metadata is in pyproject.toml; this file only adds to `build_py`. `processes/` and
`documents/` stay at the top of the checkout, where process owners edit them, and are copied
into `cpc_data/` when a wheel is built, with the front-end files the pages load from
`webui/node_modules` (installed by `npm ci`, never committed). At run time
`engine.platform.folders` finds them there when the app runs from an installed wheel.

Build a wheel from a checkout that ran `make install` (or `cd webui && npm ci`):

    python -m pip wheel --no-deps -w dist .

Without node_modules the build stops, since the installed app would serve pages without their
styles; CPC_BUILD_WITHOUT_FRONTEND=1 builds anyway, for a site that sets CPC_FRONTEND_DIR.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py
from setuptools.errors import SetupError

ROOT = Path(__file__).resolve().parent
MODULES = ROOT / "webui" / "node_modules"
PACKAGE = "cpc_data"
FOLDERS = ("processes", "documents")
# The front-end files the pages load (webui/assets.py serves them), by npm package.
FRONTEND = {
    "govuk-frontend": (
        "package.json",  # its version and licence (MIT); it ships no licence file
        "dist/govuk/govuk-frontend.min.css",
        "dist/govuk/govuk-frontend.min.js",
        "dist/govuk/assets",
    ),
    "bpmn-js": (
        "LICENSE",
        "package.json",
        "dist/bpmn-navigated-viewer.production.min.js",
        "dist/bpmn-modeler.production.min.js",
        "dist/assets",
    ),
}
INIT = '"""The diagrams, documents and front-end files, shipped inside the wheel (setup.py)."""\n'


def _copy(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    if source.is_dir():
        shutil.copytree(source, target, ignore=shutil.ignore_patterns("*.map", "README*"))
    else:
        shutil.copy2(source, target)


def frontend_files() -> list[tuple[Path, str]]:
    """(file or folder in node_modules, its place under cpc_data/frontend) for each to ship."""
    wanted = [
        (MODULES / name / part, f"{name}/{part}")
        for name, parts in FRONTEND.items()
        for part in parts
    ]
    missing = [str(source.relative_to(ROOT)) for source, _ in wanted if not source.exists()]
    if missing and os.environ.get("CPC_BUILD_WITHOUT_FRONTEND") != "1":
        raise SetupError(
            "The front-end files are missing (run `make install` or `cd webui && npm ci` "
            "first, or set CPC_BUILD_WITHOUT_FRONTEND=1 and CPC_FRONTEND_DIR where it runs): "
            + ", ".join(missing)
        )
    return [(source, place) for source, place in wanted if source.exists()]


class BuildWithData(build_py):
    def run(self):
        super().run()
        if getattr(self, "editable_mode", False):
            return  # an editable install runs from the checkout and reads its folders
        target = Path(self.build_lib) / PACKAGE
        shutil.rmtree(target, ignore_errors=True)  # nothing stale from an earlier build
        target.mkdir(parents=True)
        (target / "__init__.py").write_text(INIT, encoding="utf-8")
        for name in FOLDERS:
            _copy(ROOT / name, target / name)
        for source, place in frontend_files():
            _copy(source, target / "frontend" / place)


setup(cmdclass={"build_py": BuildWithData})
