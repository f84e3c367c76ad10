"""Background work of students, run for the college that queued it (tenant-schemas-celery)."""

from celery import shared_task

from tenant_apps.students import services


@shared_task(ignore_result=True)
def student_import_run(job_id: int) -> None:
    services.student_import_run(job_id=job_id)


@shared_task(ignore_result=True)
def students_invite(user_ids: list[int], link_base: str) -> int:
    return services.students_invite_send(user_ids=user_ids, link_base=link_base)
