"""Workspace pages of this app, by namespace (config/urls_workspace.py mounts them)."""

office_urlpatterns: list = []
student_urlpatterns: list = []
recruiter_urlpatterns: list = []
