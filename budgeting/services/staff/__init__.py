"""What staff do, as use cases: change the database, tell participants, audit.

The admin's routes parse forms and call these with plain values; each writes one
``AuditEntry`` and puts what participants must be told into the outbox
(``budgeting.services.notifications.enqueue``). Their checks are ``budgeting.services.rules``; a
refusal is a ``RuleViolation`` carrying the msgid staff read. Nothing here commits: the
caller does, so a change and its audit entry land together.
"""
