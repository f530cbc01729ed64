"""The child protection conference workflow engine (no web code here)."""
