"""Where the folders the app reads from live: the diagrams, the documents, the front end.

`processes/` (the BPMN diagrams and `settings.json`) and `documents/` (the letters' templates)
sit at the top of the checkout, where process owners edit them; the front-end packages sit in
`webui/node_modules` after `npm ci`. An installed wheel carries copies of all three in the
package `cpc_data` (see setup.py). Each folder is found in the same order:

1. its environment variable (`CPC_PROCESSES_DIR`, `CPC_DOCUMENTS_DIR`, `CPC_FRONTEND_DIR`);
2. the checkout's own folder, when the code runs from a checkout;
3. the copy inside the installed package.

`CPC_PROCESSES_DIR` moves the diagrams and the council settings together: settings.json is
read from the same folder the diagrams are deployed from.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

CHECKOUT = Path(__file__).resolve().parents[2]
PACKAGE = "cpc_data"


@dataclass(frozen=True)
class Folder:
    env: str  # the environment variable that moves it
    in_checkout: str  # its place in the checkout
    in_package: str  # its place inside the installed package


PROCESSES = Folder("CPC_PROCESSES_DIR", "processes", "processes")
DOCUMENTS = Folder("CPC_DOCUMENTS_DIR", "documents", "documents")
FRONTEND = Folder("CPC_FRONTEND_DIR", "webui/node_modules", "frontend")


def is_checkout(root: Path) -> bool:
    """True when the code runs from a clone of the project (not from site-packages)."""
    return (root / "pyproject.toml").is_file()


def packaged(name: str, package: str = PACKAGE) -> Path | None:
    """The folder shipped inside the installed package, or None when it is not installed."""
    try:
        root = resources.files(package)
    except ModuleNotFoundError:
        return None
    path = Path(str(root / name))
    return path if path.is_dir() else None


def resolve(
    folder: Folder,
    environ: Mapping[str, str] | None = None,
    checkout: Path = CHECKOUT,
    package: str = PACKAGE,
) -> Path:
    """The folder: its environment variable, else the checkout's, else the packaged copy.

    When none of them exists the path returned is where it was expected (the checkout's, or
    the package's), so the error that follows names a useful place.
    """
    environ = os.environ if environ is None else environ
    configured = environ.get(folder.env, "").strip()
    if configured:
        return Path(configured)
    in_checkout = checkout / folder.in_checkout
    if is_checkout(checkout) and in_checkout.is_dir():
        return in_checkout
    shipped = packaged(folder.in_package, package)
    if shipped is not None:
        return shipped
    if is_checkout(checkout):
        return in_checkout
    return checkout / package / folder.in_package


def processes(environ: Mapping[str, str] | None = None) -> Path:
    return resolve(PROCESSES, environ)


def documents(environ: Mapping[str, str] | None = None) -> Path:
    return resolve(DOCUMENTS, environ)


def frontend(environ: Mapping[str, str] | None = None) -> Path:
    return resolve(FRONTEND, environ)
