"""The placement office's drive pages: the list, the form (rules, weighted skills, ordered
rounds), the status actions, applicants by stage with the bulk move, the funnel and the export,
eligible and recommended students; roles, errors, isolation and query counts."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import tenant_context

from core.accounts.models import Role
from tenant_apps.applications.models import Application
from tenant_apps.drives.models import Drive, DriveRound, DriveSkill
from tenant_apps.students.models import StudentSkill
from tests.conftest import make_user
from tests.tenant_apps.factories import (
    make_application,
    make_company,
    make_drive,
    make_interview,
    make_recruiter,
    make_skill,
    make_student,
    refreshed,
)
from tests.web import page_client, text_of

pytestmark = pytest.mark.django_db

DRIVES = "/office/drives/"


def office(college, role=Role.COORDINATOR):
    return page_client(college, make_user(college, role))


def drive_form(company, *, skills=(), rounds=(), **overrides) -> dict:
    """What the drive form posts: its fields and the two formsets' rows."""
    apply_by = timezone.localtime(timezone.now() + timedelta(days=10))
    data = {
        "company": company.pk,
        "title": "Graduate Engineer",
        "job_type": "full_time",
        "ctc": "1200000",
        "location": "Bengaluru",
        "apply_by": apply_by.strftime("%Y-%m-%dT%H:%M"),
        "description": "Backend services.",
        "min_cgpa": "7",
        "max_backlogs": "0",
        "departments": "cse, ece",
        "graduation_years": "2027, 2026",
        "skills-TOTAL_FORMS": str(len(skills)),
        "skills-INITIAL_FORMS": "0",
        "rounds-TOTAL_FORMS": str(len(rounds)),
        "rounds-INITIAL_FORMS": "0",
    }
    for index, (skill, weight) in enumerate(skills):
        data[f"skills-{index}-skill"] = skill.pk if hasattr(skill, "pk") else skill
        data[f"skills-{index}-weight"] = weight
    for index, row in enumerate(rounds):
        order, kind, name, *rest = row
        data[f"rounds-{index}-order"] = order
        data[f"rounds-{index}-kind"] = kind
        data[f"rounds-{index}-name"] = name
        if rest:
            data[f"rounds-{index}-id"] = rest[0]
            if len(rest) > 1 and rest[1]:
                data[f"rounds-{index}-DELETE"] = "on"
    data.update(overrides)
    return data


def followed_message(response) -> str:
    return " ".join(str(m) for m in response.context["messages"])


# --- Who may open the pages --------------------------------------------------------------------


def drive_pages(drive) -> list[str]:
    return [
        DRIVES,
        f"{DRIVES}new/",
        f"{DRIVES}{drive.pk}/",
        f"{DRIVES}{drive.pk}/edit/",
        f"{DRIVES}{drive.pk}/eligible/",
        f"{DRIVES}{drive.pk}/recommendations/",
    ]


def test_the_drive_pages_open_for_the_placement_office(college):
    drive = make_drive(college)
    for role in (Role.ADMIN, Role.COORDINATOR):
        client = office(college, role)
        for url in drive_pages(drive):
            assert client.get(url).status_code == 200, (role, url)


def test_students_and_recruiters_get_a_403_page_and_strangers_the_sign_in(college, student):
    drive = make_drive(college)
    recruiter = make_recruiter(college, drive.company)
    for user in (student, recruiter):
        client = page_client(college, user)
        for url in drive_pages(drive):
            response = client.get(url)
            assert response.status_code == 403, (user.role, url)
        assert client.post(f"{DRIVES}{drive.pk}/status/", {"status": "closed"}).status_code == 403
    anonymous = page_client(college)
    for url in drive_pages(drive):
        response = anonymous.get(url)
        assert response.status_code == 302 and "/sign-in/" in response["Location"]
    assert refreshed(college, drive).status == "open"


# --- The list ----------------------------------------------------------------------------------


def test_the_list_searches_filters_and_orders_drives_with_their_applicant_counts(college):
    acme, globex = make_company(college, "Acme"), make_company(college, "Globex")
    backend = make_drive(college, acme, title="Backend engineer", ctc="900000")
    make_drive(college, acme, title="Data intern", job_type="internship", ctc="300000")
    make_drive(college, globex, title="Backend analyst", status="draft", ctc="1500000")
    for _ in range(3):
        make_application(college, make_student(college), backend)
    client = office(college)

    found = text_of(client.get(DRIVES, {"q": "backend", "company": acme.pk}))
    assert "Backend engineer" in found and "Backend analyst" not in found
    assert re.search(r'data-label="Applicants" class="num">3<', found)
    drafts = text_of(client.get(DRIVES, {"status": "draft"}))
    assert "Backend analyst" in drafts and "Backend engineer" not in drafts
    interns = text_of(client.get(DRIVES, {"job_type": "internship"}))
    assert "Data intern" in interns and "Backend engineer" not in interns
    by_ctc = text_of(client.get(DRIVES, {"ordering": "-ctc"}))
    assert (
        by_ctc.index("Backend analyst")
        < by_ctc.index("Backend engineer")
        < by_ctc.index("Data intern")
    )
    nothing = text_of(client.get(DRIVES, {"q": "nobody-has-this"}))
    assert "No drive matches these filters" in nothing
    bad_filters = client.get(DRIVES, {"company": "x", "status": "nope", "page": "99"})
    assert bad_filters.status_code == 200


def test_an_htmx_filter_gets_the_results_only(college):
    make_drive(college, title="Backend engineer")
    response = office(college).get(
        DRIVES, {"q": "backend"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="drive-results"
    )
    assert response.status_code == 200
    assert "Backend engineer" in text_of(response)
    assert "<html" not in text_of(response) and 'id="drive-filters"' not in text_of(response)


def test_the_list_costs_the_same_queries_for_1_or_20_drives(college):
    client = office(college)

    def count_for(n: int) -> int:
        with tenant_context(college):
            Application.all_objects.hard_delete()
            Drive.all_objects.all().delete()
        company = make_company(college)
        for _ in range(n):
            drive = make_drive(college, company, rounds=())
            make_application(college, make_student(college), drive)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(DRIVES)
        assert text_of(response).count('data-label="Applicants" class="num">1<') == n
        return len(queries)

    count_for(1)  # the first page read caches the host, the user and the college's settings
    assert count_for(1) == count_for(20)


# --- Creating and editing ----------------------------------------------------------------------


def test_creating_a_drive_saves_its_rules_weighted_skills_and_rounds_in_order(college):
    company = make_company(college, "Acme")
    python, go = make_skill(college, "Python"), make_skill(college, "Go")
    data = drive_form(
        company,
        skills=[(python, "8"), (go, "3"), ("", "")],
        rounds=[("2", "technical", "DSA"), ("1", "aptitude", ""), ("", "", "")],
    )

    response = office(college).post(f"{DRIVES}new/", data, follow=True)

    assert response.status_code == 200
    assert "created as a draft" in followed_message(response)
    with tenant_context(college):
        drive = Drive.objects.get(title="Graduate Engineer")
        assert drive.status == "draft"
        assert drive.departments == ["CSE", "ECE"] and drive.graduation_years == [2026, 2027]
        assert str(drive.min_cgpa) == "7.00" and drive.max_backlogs == 0
        assert dict(
            DriveSkill.objects.filter(drive=drive).values_list("skill__name", "weight")
        ) == {
            "Python": 8,
            "Go": 3,
        }
        rounds = list(drive.rounds.values_list("sequence", "kind", "name"))
    assert rounds == [(1, "aptitude", ""), (2, "technical", "DSA")]
    assert response.redirect_chain[-1][0] == f"{DRIVES}{drive.pk}/"


def test_a_refused_drive_shows_the_apis_errors_where_they_belong_and_keeps_what_was_typed(college):
    company = make_company(college)
    python = make_skill(college, "Python")
    data = drive_form(
        company,
        title="Typed title",
        ctc="",
        min_cgpa="11",
        graduation_years="2027, twenty",
        skills=[(python, "12"), (python, "3")],
        rounds=[("1", "", "Named but no kind")],
    )

    response = office(college).post(f"{DRIVES}new/", data)

    page = text_of(response)
    assert response.status_code == 200
    assert "Ensure this value is less than or equal to 10" in page  # min_cgpa, from DriveInput
    assert "Item 2: A valid integer is required." in page  # graduation_years
    assert "Ensure this value is less than or equal to 10." in page  # the first skill's weight
    assert "This field is required." in page  # the round without a kind
    assert page.count('id="error-ctc"') == 1  # missing: said once, with every other error
    assert 'value="Typed title"' in page and 'value="Named but no kind"' in page
    with tenant_context(college):
        assert not Drive.objects.filter(title="Typed title").exists()


def test_a_skill_given_twice_is_refused_by_the_serializer(college):
    company = make_company(college)
    python = make_skill(college, "Python")
    data = drive_form(company, skills=[(python, "5"), (python, "3")])
    response = office(college).post(f"{DRIVES}new/", data)
    assert "Skills: A skill appears twice." in text_of(response)
    with tenant_context(college):
        assert not Drive.objects.exists()


def test_saving_and_opening_beyond_the_plans_limit_shows_it_and_creates_nothing(college, tiny_plan):
    make_drive(college, status="open")  # the plan's one open drive
    company = make_company(college)
    data = drive_form(company, title="One too many", status="open")

    response = office(college).post(f"{DRIVES}new/", data)

    assert response.status_code == 200
    assert "Your plan allows 1 active drives" in text_of(response)
    assert 'value="One too many"' in text_of(response)
    with tenant_context(college):
        assert not Drive.objects.filter(title="One too many").exists()
    drafted = office(college, Role.ADMIN).post(f"{DRIVES}new/", {**data, "status": ""})
    assert drafted.status_code == 302


def test_more_rows_are_added_without_javascript_and_without_saving(college):
    company = make_company(college)
    data = drive_form(company, title="Not yet", rounds=[("1", "hr", "Final")], more="rounds")
    response = office(college).post(f"{DRIVES}new/", data)
    page = text_of(response)
    assert 'name="rounds-TOTAL_FORMS" value="4"' in page
    assert 'name="rounds-3-kind"' in page and 'value="Final"' in page
    with tenant_context(college):
        assert not Drive.objects.exists()


def test_a_broken_formset_is_an_error_on_the_page_not_a_500(college):
    company = make_company(college)
    data = drive_form(company)
    del data["rounds-TOTAL_FORMS"]
    response = office(college).post(f"{DRIVES}new/", data)
    assert response.status_code == 200
    assert "ManagementForm data is missing" in text_of(response)


def test_the_drive_form_needs_the_csrf_token(college, coordinator):
    company = make_company(college)
    client = page_client(college, coordinator, csrf=True)
    assert client.post(f"{DRIVES}new/", drive_form(company)).status_code == 403
    form = client.get(f"{DRIVES}new/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', text_of(form)).group(1)
    saved = client.post(f"{DRIVES}new/", {**drive_form(company), "csrfmiddlewaretoken": token})
    assert saved.status_code == 302


def test_the_drive_form_costs_the_same_queries_for_1_or_15_companies_and_skills(
    college, coordinator
):
    client = page_client(college, coordinator)

    def count_for(n: int) -> int:
        companies = [make_company(college) for _ in range(n)]
        skills = [make_skill(college) for _ in range(n)]
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"{DRIVES}new/")
        html = text_of(response)
        assert all(f'<option value="{row.pk}">' in html for row in companies + skills)
        return len(queries)

    client.get(f"{DRIVES}new/")  # the first page read caches the host, the user and the settings
    assert count_for(1) == count_for(15)


def edit_form(client, drive) -> dict:
    """The edit form's values as the page renders them."""
    page = text_of(client.get(f"{DRIVES}{drive.pk}/edit/"))
    data = {}
    for name, value in re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', page):
        data[name] = value
    for name, body in re.findall(r'<select name="([^"]+)"[^>]*>(.*?)</select>', page, re.S):
        chosen = re.search(r'<option value="([^"]*)"[^>]*selected', body)
        data[name] = chosen.group(1) if chosen else ""
    description = re.search(r'<textarea name="description"[^>]*>(.*?)</textarea>', page, re.S)
    data["description"] = description.group(1).strip()
    data.pop("csrfmiddlewaretoken", None)
    return data


def test_editing_shows_the_drive_and_keeps_rounds_that_stay_and_removes_ticked_ones(college):
    python = make_skill(college, "Python")
    drive = make_drive(college, rounds=("aptitude", "technical", "hr"), skills={python: 4})
    with tenant_context(college):
        aptitude, technical, hr = drive.rounds.order_by("sequence")
    client = office(college)
    data = edit_form(client, drive)
    assert data["title"] == drive.title and data["skills-0-weight"] == "4"
    assert data["rounds-0-id"] == str(aptitude.pk)
    # when: HR first, technical removed, the weight changed
    data.update({"rounds-2-order": "0", "rounds-1-DELETE": "on", "skills-0-weight": "9"})
    data["title"] = "Renamed drive"

    response = client.post(f"{DRIVES}{drive.pk}/edit/", data, follow=True)

    assert "saved" in followed_message(response)
    with tenant_context(college):
        kept = list(DriveRound.objects.filter(drive=drive).values_list("pk", "sequence"))
        assert DriveSkill.objects.get(drive=drive).weight == 9
        assert Drive.objects.get(pk=drive.pk).title == "Renamed drive"
    assert kept == [(hr.pk, 1), (aptitude.pk, 2)]
    assert technical.pk not in [pk for pk, _ in kept]


def test_a_round_with_interviews_cannot_be_removed_and_nothing_changes(college):
    drive = make_drive(college, rounds=("aptitude", "technical"))
    application = make_application(college, make_student(college), drive, "shortlisted")
    make_interview(college, application, round_sequence=1)
    client = office(college)
    data = edit_form(client, drive)
    data.update({"rounds-0-DELETE": "on", "title": "Should not be saved"})

    response = client.post(f"{DRIVES}{drive.pk}/edit/", data)

    assert response.status_code == 200
    assert "has interviews: it cannot be removed" in text_of(response)
    assert refreshed(college, drive).title == drive.title
    with tenant_context(college):
        assert DriveRound.objects.filter(drive=drive).count() == 2


# --- Status actions ----------------------------------------------------------------------------


def test_the_status_buttons_follow_the_drives_state_machine(college):
    drive = make_drive(college, status="draft")
    client = office(college)
    status = f"{DRIVES}{drive.pk}/status/"
    assert 'id="drive-open"' in text_of(client.get(f"{DRIVES}{drive.pk}/"))

    opened = client.post(status, {"status": "open"}, follow=True)
    assert "The drive is open" in followed_message(opened)
    assert 'id="drive-close"' in text_of(opened) and 'id="drive-complete"' not in text_of(opened)
    client.post(status, {"status": "closed"})
    completed = client.post(status, {"status": "completed"}, follow=True)
    assert "completed" in followed_message(completed)
    assert refreshed(college, drive).status == "completed"

    refused = client.post(status, {"status": "open"}, follow=True)
    assert "A completed drive cannot become open." in followed_message(refused)
    nonsense = client.post(status, {"status": "banana"}, follow=True)
    assert "is not a valid choice" in followed_message(nonsense)
    assert refreshed(college, drive).status == "completed"


def test_opening_beyond_the_plans_limit_says_so_and_keeps_the_draft(college, tiny_plan):
    make_drive(college, status="open")
    draft = make_drive(college, status="draft")
    response = office(college).post(f"{DRIVES}{draft.pk}/status/", {"status": "open"}, follow=True)
    message = followed_message(response)
    assert "Your plan allows 1 active drives: upgrade to add more." in message
    assert "Close another drive first" in message
    assert refreshed(college, draft).status == "draft"


def test_opening_a_drive_whose_closing_date_passed_asks_for_a_later_one(college):
    draft = make_drive(college, status="draft", apply_by=timezone.now() - timedelta(days=1))
    response = office(college).post(f"{DRIVES}{draft.pk}/status/", {"status": "open"}, follow=True)
    assert "Applications close on: Opening a drive needs an apply_by in the future." in (
        followed_message(response)
    )
    assert refreshed(college, draft).status == "draft"


# --- The drive's page: applicants, bulk move, funnel, export -------------------------------------


def test_the_drive_page_shows_rules_applicants_by_stage_and_the_funnel(college):
    drive = make_drive(college, min_cgpa="7.5", departments=["CSE"], max_backlogs=1)
    ana = make_student(college, first_name="Ana", cgpa="9.10", department="CSE")
    ben = make_student(college, first_name="Ben", cgpa="8.00", department="CSE")
    make_application(college, ana, drive, "shortlisted")
    make_application(college, ben, drive)
    client = office(college)

    page = text_of(client.get(f"{DRIVES}{drive.pk}/"))
    assert "7.50" in page and "At most 1" in page and "CSE" in page
    assert re.search(r"All <span class=\"count\">2<", page)
    assert re.search(r"Shortlisted <span class=\"count\">1<", page)
    assert "Ana" in page and "Ben" in page and "9.10" in page
    assert 'id="drive-funnel"' in page and "Applied 2, Shortlisted 1" in page
    assert f'href="{DRIVES}{drive.pk}/applicants/export/?format=csv"' in page
    shortlisted = text_of(client.get(f"{DRIVES}{drive.pk}/", {"status": "shortlisted"}))
    assert "Ana" in shortlisted and "Ben Dent" not in shortlisted


def test_bulk_move_shortlists_the_ticked_applicants_through_the_service(college):
    drive = make_drive(college)
    applications = [make_application(college, make_student(college), drive) for _ in range(3)]
    client = office(college)
    ticked = [a.pk for a in applications[:2]]

    response = client.post(
        f"{DRIVES}{drive.pk}/?status=applied",
        {"applications": ticked, "status": "shortlisted", "note": "Good scores"},
        follow=True,
    )

    assert "2 applicants moved to shortlisted." in followed_message(response)
    assert response.redirect_chain[-1][0] == f"{DRIVES}{drive.pk}/?status=applied"
    moved = [refreshed(college, a) for a in applications]
    assert [a.status for a in moved] == ["shortlisted", "shortlisted", "applied"]
    assert moved[0].note == "Good scores" and moved[0].shortlisted_at is not None


def test_bulk_move_of_a_whole_tab_moves_the_applicants_of_every_page(college):
    drive = make_drive(college)
    for _ in range(25):
        make_application(college, make_student(college), drive)
    other = make_application(college, make_student(college), drive, "shortlisted")

    response = office(college).post(
        f"{DRIVES}{drive.pk}/?status=applied", {"everyone": "on", "status": "rejected"}
    )

    assert response.status_code == 302
    with tenant_context(college):
        assert Application.objects.filter(drive=drive, status="rejected").count() == 25
    assert refreshed(college, other).status == "shortlisted"


def test_a_refused_bulk_move_moves_nobody_and_shows_who_with_the_boxes_still_ticked(college):
    drive = make_drive(college)
    fine = make_application(college, make_student(college), drive)
    stuck = make_application(
        college, make_student(college, first_name="Rita", roll_number="R-REJ"), drive, "rejected"
    )

    response = office(college).post(
        f"{DRIVES}{drive.pk}/", {"applications": [fine.pk, stuck.pk], "status": "shortlisted"}
    )

    page = text_of(response)
    assert response.status_code == 200
    assert "1 of 2 applications cannot become shortlisted: none was moved." in page
    assert "Rita Dent (R-REJ)</strong>: An application that is rejected cannot become" in page
    assert re.search(rf'value="{fine.pk}" id="applicant-{fine.pk}" checked', page)
    assert refreshed(college, fine).status == "applied"


def test_bulk_move_asks_for_a_choice_and_never_reaches_another_drives_applicants(college):
    drive, elsewhere = make_drive(college), make_drive(college)
    foreign = make_application(college, make_student(college), elsewhere)
    make_application(college, make_student(college), drive)
    client = office(college)

    nothing = client.post(f"{DRIVES}{drive.pk}/", {"status": "shortlisted"})
    assert "Choose the applicants to move first" in text_of(nothing)
    offered_by_hand = client.post(
        f"{DRIVES}{drive.pk}/", {"applications": [foreign.pk], "status": "shortlisted"}
    )
    assert f"Not found: [{foreign.pk}]" in text_of(offered_by_hand)
    garbage = client.post(f"{DRIVES}{drive.pk}/", {"applications": ["x"], "status": "nope"})
    assert garbage.status_code == 200
    assert refreshed(college, foreign).status == "applied"


def test_the_drive_page_costs_the_same_queries_for_1_or_20_applicants(college):
    client = office(college)
    drive = make_drive(college, skills={make_skill(college): 5})

    def count_for(n: int) -> int:
        with tenant_context(college):
            Application.all_objects.hard_delete()
        for _ in range(n):
            make_application(college, make_student(college), drive)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"{DRIVES}{drive.pk}/")
        assert text_of(response).count('name="applications"') == n
        return len(queries)

    count_for(1)  # the first page read caches the host, the user and the college's settings
    assert count_for(1) == count_for(20)


def test_the_export_is_the_apis_file_of_the_tab(college):
    drive = make_drive(college)
    make_application(college, make_student(college, roll_number="R-KEEP"), drive, "shortlisted")
    make_application(college, make_student(college, roll_number="R-SKIP"), drive)

    response = office(college).get(
        f"{DRIVES}{drive.pk}/applicants/export/", {"format": "csv", "status": "shortlisted"}
    )

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    body = b"".join(response.streaming_content).decode()
    assert "R-KEEP" in body and "R-SKIP" not in body
    xlsx = office(college, Role.ADMIN).get(
        f"{DRIVES}{drive.pk}/applicants/export/", {"format": "xlsx"}
    )
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"


def test_an_export_the_plan_or_the_columns_refuse_is_a_message_on_the_drive(college, tiny_plan):
    drive = make_drive(college)
    response = office(college).get(f"{DRIVES}{drive.pk}/applicants/export/", follow=True)
    assert "Your plan does not include exports" in followed_message(response)
    assert response.redirect_chain[-1][0] == f"{DRIVES}{drive.pk}/"


def test_unknown_export_columns_are_named(college):
    drive = make_drive(college)
    response = office(college).get(
        f"{DRIVES}{drive.pk}/applicants/export/", {"columns": "name,salary"}, follow=True
    )
    assert "Unknown column(s): salary." in followed_message(response)


# --- Eligible and recommended students ---------------------------------------------------------


def test_eligible_students_are_the_selectors_with_who_applied_already(college):
    drive = make_drive(college, min_cgpa="8", departments=["CSE"])
    applied = make_student(college, first_name="Applied", cgpa="9.00")
    make_student(college, first_name="Waiting", cgpa="8.50")
    make_student(college, first_name="Lowcgpa", cgpa="6.00")
    make_student(college, first_name="Mechanic", department="MECH", cgpa="9.50")
    make_application(college, applied, drive)
    client = office(college)

    page = text_of(client.get(f"{DRIVES}{drive.pk}/eligible/"))
    assert "Applied" in page and "Waiting" in page
    assert "Lowcgpa" not in page and "Mechanic" not in page
    assert "2 eligible" in page
    not_yet = text_of(client.get(f"{DRIVES}{drive.pk}/eligible/", {"applied": "false"}))
    assert "Waiting" in not_yet and "Applied Dent" not in not_yet
    searched = text_of(client.get(f"{DRIVES}{drive.pk}/eligible/", {"q": "waiting"}))
    assert "1 eligible" in searched


def test_the_eligible_list_costs_the_same_queries_for_1_or_20_students(college):
    client = office(college)
    drive = make_drive(college)

    def count_for(n: int) -> int:
        with tenant_context(college):
            from tenant_apps.students.models import Student

            Application.all_objects.hard_delete()
            Student.all_objects.hard_delete()
        for _ in range(n):
            make_application(college, make_student(college), drive)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"{DRIVES}{drive.pk}/eligible/")
        assert text_of(response).count('badge info">Applied<') == n
        return len(queries)

    count_for(1)  # the first page read caches the host, the user and the college's settings
    assert count_for(1) == count_for(20)


def test_recommendations_rank_eligible_students_with_the_parts_of_their_score(college):
    python = make_skill(college, "Python")
    drive = make_drive(college, skills={python: 10})
    make_student(college, first_name="Strong", cgpa="8.00", skills={python: 10})
    make_student(college, first_name="Weak", cgpa="8.00", skills={python: 2})
    make_student(college, first_name="Ineligible", cgpa="9.00", backlogs=3)
    with tenant_context(college):
        Drive.objects.filter(pk=drive.pk).update(max_backlogs=0)

    page = text_of(office(college).get(f"{DRIVES}{drive.pk}/recommendations/"))

    assert page.index("Strong") < page.index("Weak")
    assert "Ineligible" not in page
    assert 'value="1.0"' in page  # Strong's skill match meter
    assert "94.0%" in page  # 0.6 * 1 + 0.3 * 0.8 + 0.1 * 1


def test_recommendations_are_ranked_once_until_the_next_write(college):
    # given a drive's recommendations, read once
    python = make_skill(college, "Python")
    drive = make_drive(college, skills={python: 10})
    first = make_student(college, first_name="Firstly", cgpa="8.00", skills={python: 9})
    make_student(college, first_name="Secondly", cgpa="8.00", skills={python: 5})
    client = office(college)
    url = f"{DRIVES}{drive.pk}/recommendations/"
    before = text_of(client.get(url))

    # when it is read again, and after a write changes a student's skill
    with CaptureQueriesContext(connection) as again:
        client.get(url)
    with tenant_context(college):
        StudentSkill.objects.filter(student=first).update(rating=1)
    after = text_of(client.get(url))

    # then the second read ranks nothing (no scoring query), and the write is seen at once
    assert before.index("Firstly") < before.index("Secondly")
    assert not [q for q in again.captured_queries if "skill_match" in q["sql"]]
    assert after.index("Secondly") < after.index("Firstly")


def test_recommendations_the_plan_leaves_out_say_so(college, tiny_plan):
    drive = make_drive(college)
    response = office(college, Role.ADMIN).get(f"{DRIVES}{drive.pk}/recommendations/")
    assert response.status_code == 402
    assert "Your plan does not include recommendations" in text_of(response)
    assert 'id="plan-error"' in text_of(response)


def test_recommendations_cost_the_same_queries_for_1_or_20_students(college):
    client = office(college)
    python = make_skill(college)
    drive = make_drive(college, skills={python: 5})

    def count_for(n: int) -> int:
        with tenant_context(college):
            from tenant_apps.students.models import Student, StudentSkill

            StudentSkill.all_objects.hard_delete()
            Student.all_objects.hard_delete()
        for _ in range(n):
            make_student(college, skills={python: 5})
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"{DRIVES}{drive.pk}/recommendations/")
        assert text_of(response).count("<meter") == n
        return len(queries)

    count_for(1)  # the first page read caches the host, the user and the college's settings
    assert count_for(1) == count_for(20)


# --- Two colleges ------------------------------------------------------------------------------


def test_another_college_cannot_read_change_or_guess_a_colleges_drive(college, other_college):
    drive = make_drive(college, title="Alpha only drive", status="draft", pk=8_801)
    application = make_application(college, make_student(college), drive, pk=8_802)
    stranger = office(other_college)
    base = f"{DRIVES}{drive.pk}/"

    for url in [*drive_pages(drive)[2:], f"{base}applicants/export/"]:
        assert stranger.get(url).status_code == 404, url
    assert stranger.post(f"{base}status/", {"status": "open"}).status_code == 404
    assert (
        stranger.post(base, {"applications": [application.pk], "status": "rejected"}).status_code
        == 404
    )
    assert stranger.post(f"{base}edit/", {"title": "Hijacked"}).status_code == 404
    assert "Alpha only drive" not in text_of(stranger.get(DRIVES))

    assert refreshed(college, drive).status == "draft"
    assert refreshed(college, drive).title == "Alpha only drive"
    assert refreshed(college, application).status == "applied"


def test_a_drive_of_the_same_id_in_another_college_is_that_colleges_own(college, other_college):
    make_drive(college, title="Alpha drive", pk=8_811)
    make_drive(other_college, title="Beta drive", pk=8_811)
    page = text_of(office(other_college).get(f"{DRIVES}8811/"))
    assert "Beta drive" in page and "Alpha drive" not in page
