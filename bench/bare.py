"""The yardstick for ``bench/http_bench.py``: a bare Flask JSON endpoint, served the same way.

    gunicorn bench.bare:app
"""
from flask import Flask

app = Flask(__name__)


@app.get("/json")
def json_endpoint():
    return {"ok": True, "items": [1, 2, 3]}


@app.get("/healthz")
def healthz():
    return {"ok": True}
