"""The workspace's navigation, by role. Entries name URL patterns (the pages live in the apps
above this layer); an entry whose page is not installed is left out."""

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse

from core.accounts.models import Role


@dataclass(frozen=True)
class Entry:
    label: str
    url_name: str
    roles: frozenset[str]
    exact: bool = False  # a home: current only on itself, not on the pages under it


# Placemate support (a read-only session an operator opened) sees what the placement head sees.
OFFICE = frozenset({Role.ADMIN, Role.COORDINATOR, Role.SUPPORT})
ADMIN = frozenset({Role.ADMIN, Role.SUPPORT})
STUDENT = frozenset({Role.STUDENT})
RECRUITER = frozenset({Role.RECRUITER})

NAV = (
    Entry("Home", "office:home", OFFICE, exact=True),
    Entry("Students", "office:students", OFFICE),
    Entry("Verification", "office:verification-queue", OFFICE),
    Entry("Companies", "office:companies", OFFICE),
    Entry("Drives", "office:drives", OFFICE),
    Entry("Interviews", "office:interviews", OFFICE),
    Entry("Interview slots", "office:interview-slots", OFFICE),
    Entry("Offers", "office:offers", OFFICE),
    Entry("Assessments", "office:assessments", OFFICE),
    Entry("Announcements", "office:announcements", OFFICE),
    Entry("Reports", "office:reports", OFFICE),
    Entry("Members", "office:members", ADMIN),
    Entry("Settings", "office:settings", ADMIN),
    Entry("Billing", "office:billing", ADMIN),
    Entry("Audit log", "office:audit", ADMIN),
    Entry("Home", "student:home", STUDENT, exact=True),
    Entry("Profile", "student:profile", STUDENT),
    Entry("Drives", "student:drives", STUDENT),
    Entry("Applications", "student:applications", STUDENT),
    Entry("Interviews", "student:interviews", STUDENT),
    Entry("Assessments", "student:assessments", STUDENT),
    Entry("Offers", "student:offers", STUDENT),
    Entry("Notices", "student:announcements", STUDENT),
    Entry("Drives", "recruiter:drives", RECRUITER),
    Entry("Interviews", "recruiter:interviews", RECRUITER),
)

HOMES = {
    Role.ADMIN: "office:home",
    Role.COORDINATOR: "office:home",
    Role.SUPPORT: "office:home",
    Role.STUDENT: "student:home",
    Role.RECRUITER: "recruiter:drives",
}


def _url(name: str) -> str | None:
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


def home_url(user) -> str:
    return _url(HOMES.get(user.role, "")) or reverse("web:account")


def links(request) -> list[dict]:
    """The person's entries; the current one is the entry whose address is the longest start
    of the page's (so `/recruiter/interviews/` is Interviews, not the `/recruiter/` home)."""
    user = request.user
    items = []
    for entry in NAV:
        if user.role not in entry.roles:
            continue
        url = _url(entry.url_name)
        if url is None:
            continue
        matches = request.path == url or (not entry.exact and request.path.startswith(url))
        items.append({"label": entry.label, "url": url, "current": False, "match": matches})
    current = max(
        (item for item in items if item["match"]), key=lambda i: len(i["url"]), default=None
    )
    if current is not None:
        current["current"] = True
    return items
