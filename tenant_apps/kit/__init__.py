"""Helpers shared by the placement apps (students, drives, applications, interviews): role and
scope permissions, fast read-model lists, private PDF files and tenant-aware storage.

Not an app (no models); candidates for `core.api` once they have settled."""
