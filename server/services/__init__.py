"""Business rules as plain functions: plans, cards, roles, invitations, audit.

Views, API endpoints and socket handlers translate requests into calls to these; none of the
rules lives in a handler. Functions take the request's session and leave committing to the
caller, so one request is one transaction.
"""
