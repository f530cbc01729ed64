import pytest

from forms.definitions import FORMS_DIR, FormDefinitionError, load, parse, path_for


def all_form_keys():
    return sorted(str(p.relative_to(FORMS_DIR).with_suffix("")) for p in FORMS_DIR.rglob("*.json"))


@pytest.mark.parametrize("key", all_form_keys())
def test_every_form_in_the_repository_loads(key):
    definition = load(key)
    assert definition.title
    assert definition.fields


@pytest.mark.parametrize(
    "key", ["../secrets", "/etc/passwd", "icpc/../../x", "", "x" * 201, "a/" + "b" * 5000]
)
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
        ({"title": "T", "fields": [{"name": "a", "type": "text", "max_length": "9"}]}, "most"),
        ({"title": "T", "fields": [{"name": "a", "type": "text", "max_length": True}]}, "most"),
        ({"title": "T", "fields": [{"name": "a", "type": "text", "max_length": 0}]}, "most"),
        ({"title": "T", "fields": [{"name": "a", "type": "text", "max_length": 10**6}]}, "most"),
    ],
)
def test_unsound_definitions_are_refused(raw, message):
    with pytest.raises(FormDefinitionError, match=message):
        parse("test/bad", raw)


def test_a_field_stored_in_a_column_accepts_no_more_than_the_column_holds():
    field = {"name": "who", "type": "text", "label": "Who", "column": "plan_actions.who"}
    assert parse("t", {"title": "T", "fields": [field]}).fields[0].max_length == 200
    capped = {**field, "max_length": 5000}
    assert parse("t", {"title": "T", "fields": [capped]}).fields[0].max_length == 200
    with pytest.raises(FormDefinitionError, match="no bounded text column"):
        parse("t", {"title": "T", "fields": [{**field, "column": "plan_actions.what"}]})
