"""A JSON API client for setting up and checking browser tests (requests, CSRF header)."""
from __future__ import annotations

import requests


class Api:
    """A ``requests`` session speaking the JSON API with the CSRF header, like the PWA."""

    def __init__(self, base):
        self.base = base
        self.http = requests.Session()
        self.csrf = None

    def refresh(self):
        self.csrf = self.http.get(self.base + "/api/v1/me", timeout=10).json()["csrf_token"]

    def call(self, method, path, json=None):
        headers = {}
        if method != "GET":
            if self.csrf is None:
                self.refresh()
            headers["X-CSRF-Token"] = self.csrf
        response = self.http.request(method, self.base + path, json=json, headers=headers, timeout=10)
        if path.startswith("/api/v1/auth/") and response.ok:
            self.csrf = response.json()["csrf_token"]
        return response

    def get(self, path):
        return self.call("GET", path)

    def post(self, path, json=None):
        return self.call("POST", path, json)
