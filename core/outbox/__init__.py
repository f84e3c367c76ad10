"""A transactional outbox for mail, in every schema.

Sending a mail (Django's `send_mail`, allauth, ...) with `EMAIL_BACKEND` set to
`core.outbox.backends.OutboxEmailBackend` writes an `OutboxMessage` row in the current schema,
inside the sender's transaction: the mail exists if and only if the change that caused it was
committed, and writing it needs neither the broker nor the SMTP server. After the commit a
`relay` task is queued for it; if the broker is down, the request still succeeds and the row
waits for the periodic `relay_pending` sweep (Celery beat, or `manage.py relay_outbox`).

Delivery (`relay.relay`) takes one due row at a time with `SELECT ... FOR UPDATE SKIP LOCKED`,
sends it through `OUTBOX_EMAIL_BACKEND` and marks it sent in the same transaction: however many
relays run at once (the task queued after the commit, the sweep, a redelivered task), a row is
handed to the mail server once. A worker dying after the server accepted a mail but before the
commit would send that mail again on the next attempt: every message carries a fixed Message-ID
so that receiving servers can drop the copy. Failures are retried with backoff up to
`OUTBOX_MAX_ATTEMPTS`, then the row is marked failed (and logged as an error).
"""
