import pytest

from forms.definitions import FORMS_DIR, FormDefinitionError, load, parse, path_for


def all_form_keys():
    return sorted(str(p.relative_to(FORMS_DIR).with_suffix("")) for p in FORMS_DIR.rglob("*.json"))


@pytest.mark.parametrize("key", all_form_keys())
def test_every_form_in_the_repository_loads(key):
    definition = load(key)
    assert definition.title
    assert definition.fields


@pytest.mark.parametrize("key", ["../secrets", "/etc/passwd", "icpc/../../x", ""])
def test_form_keys_cannot_escape_the_forms_folder(key):
    with pytest.raises(FormDefinitionError):
        path_for(key)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"title": "T", "fields": [{"name": "a b", "type": "text"}]}, "not a valid field name"),
        ({"title": "T", "fields": [{"name": "a", "type": "colour"}]}, "unknown field type"),
        ({"title": "T", "fields": [{"name": "a", "type": "radios"}]}, "needs options"),
        (
            {
                "title": "T",
                "fields": [{"name": "a", "type": "text"}, {"name": "a", "type": "text"}],
            },
            "used twice",
        ),
        ({"fields": []}, "needs a title"),
    ],
)
def test_unsound_definitions_are_refused(raw, message):
    with pytest.raises(FormDefinitionError, match=message):
        parse("test/bad", raw)
