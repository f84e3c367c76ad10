"""Helpers shared by the placement apps (students, drives, applications, interviews): role and
scope permissions, fast read-model lists, live-row counts, private PDF files and tenant-aware
storage. An app for its one table (`LiveRows`, counting.py); candidates for `core.api` once they
have settled."""
