"""A redirect's Location as this server writes it: a path of its own, never another host."""

from __future__ import annotations

import pytest

from service.web.redirects import relative


@pytest.mark.parametrize(
    ("location", "written"),
    [
        ("http://evil.example/dashboard/", "/dashboard/"),
        ("https://evil.example:8443/graphql?query=%7B%7D", "/graphql?query=%7B%7D"),
        ("//evil.example/dashboard/", "/dashboard/"),
        ("http://evil.example", "/"),
        ("/dashboard/", "/dashboard/"),
        ("http://127.0.0.1:8000//evil.example/", "/evil.example/"),  # never protocol-relative
    ],
)
def test_a_location_becomes_a_path_of_this_server(location: str, written: str) -> None:
    assert relative(location) == written
