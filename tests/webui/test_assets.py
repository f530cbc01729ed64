"""Front-end packages come from npm's node_modules, never from the repository."""


def test_govuk_frontend_css_is_served(client):
    response = client.get("/frontend/govuk-frontend.min.css")
    assert response.status_code == 200
    assert b".govuk-" in response.data
    response.close()


def test_bpmn_js_viewer_is_served_from_its_dist_folder(client):
    response = client.get("/vendor/bpmn-js/bpmn-navigated-viewer.production.min.js")
    response.close()
    assert response.status_code == 200
    assert "max-age=86400" in response.headers["Cache-Control"]


def test_packages_outside_the_allow_list_are_not_served(client):
    assert client.get("/vendor/govuk-frontend/package.json").status_code == 404
    assert client.get("/vendor/bpmn-js/../package.json").status_code == 404
