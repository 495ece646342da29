"""The patient list page: a GET form searches, filters and sorts (no script needed), the
sortable column headers are links, and a value the form does not offer is 422."""
from __future__ import annotations

import re

from tests.support.pages import text_of


def _patients(therapist_api, api):
    """Three patients; bob smith joins, the others are flagged "Not joined yet".
    """
    created = {}
    for name in ("Ángela Ruiz", "bob smith", "Carmen Vidal"):
        created[name] = therapist_api.post("/api/v1/patients", {"display_name": name, "timezone": "UTC"}).get_json()
    api().post("/api/v1/auth/join", {"token": created["bob smith"]["invite_url"].rsplit("/", 1)[-1]})
    return created


def _row_names(page_text: str) -> list[str]:
    return re.findall(r'<th scope="row"><a href="/t/patients/\d+">([^<]+)</a>', page_text)


def test_the_form_searches_filters_and_sorts(therapist_api, api):
    _patients(therapist_api, api)

    page = therapist_api.http.get("/t/patients?q=ANGELA")
    assert page.status_code == 200
    text = text_of(page)
    assert _row_names(text) == ["Ángela Ruiz"]
    assert 'value="ANGELA"' in text and "Patients shown: 1" in text

    text = text_of(therapist_api.http.get("/t/patients?flag=not_joined&sort=name"))
    assert _row_names(text) == ["Ángela Ruiz", "Carmen Vidal"]
    assert '<option value="not_joined" selected>Not joined yet</option>' in text
    assert '<option value="name" selected>' in text
    assert 'aria-sort="ascending"' in text

    # Empty fields are no filter: what the form sends when nothing is chosen.
    text = text_of(therapist_api.http.get("/t/patients?q=&flag=&sort=name"))
    assert _row_names(text) == ["Ángela Ruiz", "bob smith", "Carmen Vidal"]
    text = text_of(therapist_api.http.get("/t/patients?q=zzz"))
    assert _row_names(text) == [] and "No patients match." in text


def test_the_column_headers_sort_and_keep_the_search(therapist_api, api):
    _patients(therapist_api, api)
    text = text_of(therapist_api.http.get("/t/patients?q=a"))
    links = re.findall(r'<th scope="col"[^>]*>\s*<a href="([^"]+)"', text)
    assert links == ["/t/patients?q=a&sort=name", "/t/patients?q=a&sort=urgency", "/t/patients?q=a&sort=last_activity"]


def test_an_unknown_sort_or_flag_is_422_with_the_field_marked(therapist_api, api):
    _patients(therapist_api, api)
    page = therapist_api.http.get("/t/patients?sort=oldest&flag=nope")
    assert page.status_code == 422
    text = text_of(page)
    assert 'id="list-sort-error"' in text and 'id="list-flag-error"' in text
    assert len(_row_names(text)) == 3  # the whole list, in the default order
