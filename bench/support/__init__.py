"""What the bench scripts share: throwaway databases, a gunicorn server, an HTTP client,
percentiles. Kept in a package so `make bench` (every bench/*.py) does not run it."""
