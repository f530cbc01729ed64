"""Request latency and counts for Prometheus, by endpoint.

The endpoint label is the URL rule (`/tasks/<task_id>`), never the path: a path carries ids,
and a label per id would make a new series for every task. Requests that match no rule share
the label `unmatched`.
"""

from __future__ import annotations

from flask import request
from prometheus_client import Counter, Histogram

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


def observe(response, seconds: float) -> None:
    """Count the request and its time, given the time `request_timing` took for it."""
    endpoint, method = endpoint_label(), request.method
    LATENCY.labels(endpoint, method).observe(seconds)
    REQUESTS.labels(endpoint, method, str(response.status_code)).inc()
