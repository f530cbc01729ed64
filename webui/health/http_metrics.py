"""Request latency and counts for Prometheus, by endpoint.

The endpoint label is the URL rule (`/tasks/<task_id>`), never the path: a path carries ids,
and a label per id would make a new series for every task. Requests that match no rule share
the label `unmatched`.
"""

from __future__ import annotations

import time

from flask import g, request
from prometheus_client import Counter, Histogram

from . import bp

LATENCY = Histogram(
    "cpc_http_request_duration_seconds",
    "Time to answer a request, by endpoint (URL rule) and method.",
    ["endpoint", "method"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
REQUESTS = Counter(
    "cpc_http_requests",
    "Requests answered, by endpoint, method and status.",
    ["endpoint", "method", "status"],
)


def endpoint_label() -> str:
    return request.url_rule.rule if request.url_rule is not None else "unmatched"


@bp.before_app_request
def _start_timer():
    g.metrics_started = time.perf_counter()


@bp.after_app_request
def _observe(response):
    started = g.pop("metrics_started", None)
    if started is not None:
        endpoint, method = endpoint_label(), request.method
        LATENCY.labels(endpoint, method).observe(time.perf_counter() - started)
        REQUESTS.labels(endpoint, method, str(response.status_code)).inc()
    return response
