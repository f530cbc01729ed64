"""processes/, documents/ and the front end: environment variable, else checkout, else package."""

import sys

import pytest

from engine.platform import folders, settings
from engine.platform.folders import DOCUMENTS, FRONTEND, PROCESSES, resolve
from tests.factories import ROOT


@pytest.fixture
def checkout(tmp_path):
    root = tmp_path / "checkout"
    (root / "processes").mkdir(parents=True)
    (root / "documents").mkdir()
    (root / "pyproject.toml").write_text("[project]\nname = 'cpc'\n")
    return root


@pytest.fixture
def installed(tmp_path, monkeypatch):
    """A package laid out as the wheel's cpc_data, importable under its own name."""
    site = tmp_path / "site"
    package = site / "cpc_data_under_test"
    for name in ("processes", "documents", "frontend"):
        (package / name).mkdir(parents=True)
    (package / "__init__.py").write_text("")
    monkeypatch.syspath_prepend(str(site))
    yield package
    sys.modules.pop("cpc_data_under_test", None)


def test_the_environment_variable_comes_first(checkout, installed, tmp_path):
    elsewhere = tmp_path / "council" / "diagrams"
    environ = {"CPC_PROCESSES_DIR": str(elsewhere)}
    found = resolve(PROCESSES, environ, checkout=checkout, package=installed.name)
    assert found == elsewhere


def test_an_empty_variable_counts_as_unset(checkout):
    assert resolve(PROCESSES, {"CPC_PROCESSES_DIR": " "}, checkout=checkout) == (
        checkout / "processes"
    )


def test_a_checkout_reads_its_own_folders(checkout, installed):
    assert resolve(PROCESSES, {}, checkout, installed.name) == checkout / "processes"
    assert resolve(DOCUMENTS, {}, checkout, installed.name) == checkout / "documents"


def test_an_installed_package_reads_the_copies_shipped_inside_it(tmp_path, installed):
    site_packages = tmp_path / "site-packages"  # no pyproject.toml: not a checkout
    site_packages.mkdir()
    for folder in (PROCESSES, DOCUMENTS, FRONTEND):
        assert resolve(folder, {}, site_packages, installed.name) == (installed / folder.in_package)


def test_a_checkout_without_node_modules_falls_back_to_the_package(checkout, installed):
    assert resolve(FRONTEND, {}, checkout, installed.name) == installed / "frontend"


def test_a_missing_folder_is_reported_where_it_was_expected(tmp_path, checkout):
    assert resolve(FRONTEND, {}, checkout, "no_such_package") == (
        checkout / "webui" / "node_modules"
    )
    bare = tmp_path / "bare"
    assert resolve(PROCESSES, {}, bare, "no_such_package") == (
        bare / "no_such_package" / "processes"
    )


def test_this_checkout_resolves_to_its_top_level_folders(monkeypatch):
    monkeypatch.delenv("CPC_PROCESSES_DIR", raising=False)
    monkeypatch.delenv("CPC_DOCUMENTS_DIR", raising=False)
    assert folders.CHECKOUT == ROOT
    assert folders.processes() == ROOT / "processes"
    assert folders.documents() == ROOT / "documents"


def test_the_processes_variable_moves_the_council_settings_too(tmp_path, monkeypatch):
    (tmp_path / "settings.json").write_text('{"_comment": "moved", "council_name": "Elsewhere"}')
    monkeypatch.setenv("CPC_PROCESSES_DIR", str(tmp_path))
    settings.defaults.cache_clear()
    try:
        assert settings.settings_file() == tmp_path / "settings.json"
        assert settings.get("council_name") == "Elsewhere"
    finally:
        monkeypatch.delenv("CPC_PROCESSES_DIR")
        settings.defaults.cache_clear()
    assert settings.get("council_name") == "Demo Borough Council"


def test_the_council_logo_is_found_in_the_documents_folder():
    from engine.documents.document_render import logo_path

    logo = ROOT / "documents" / "logo.png"
    for name in ("documents/logo.png", "logo.png", str(logo)):  # as settings have named it
        assert logo_path({"council": {"logo": name}}) == logo
    assert logo_path({"council": {"logo": "no-such.png"}}) is None
    assert logo_path({"council": {"logo": None}}) is None
