"""The child protection conference workflow engine (no web code here).

Its packages are layers: each imports only the packages listed before it in `LAYERS` (and
itself). `engine/README.md` says what each holds; `tests/engine/test_layers.py` enforces the
order, so an upward import fails CI instead of quietly tangling the core with casework.
`engine.service` sits above them all: it builds the workflow engine with casework's
functions and hooks, the one place the layers are wired together.
"""

LAYERS = (
    "platform",
    "models",
    "access",
    "workflow",
    "messaging",
    "documents",
    "casework",
    "diagrams",
    "reporting",
    "operations",
)
