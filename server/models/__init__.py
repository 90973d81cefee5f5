"""The database models. They import neither views nor the collaboration engine."""
from __future__ import annotations

from schemas.vocabulary import LANGUAGES

from .approval import DECISIONS, VERSION_KINDS, CardVersion, Signoff
from .accounts import ORGANISATION_KINDS, ApiToken, Organisation, User
from .base import Base, utcnow
from .plans import Axis, Card, Plan
from .publication import (CONTRIBUTION_STATES, OUTCOMES, PLAN_STAGES, REJECT_REASONS, Consultation,
                          Contribution, PlanDocument, Publication)
from .records import AuditEvent, CompactedState, CardUpdate
from .review import NOTIFICATION_KINDS, THREAD_STATUSES, Comment, Notification, Thread
from .roles import CARD_ROLES, PLAN_ROLES, Attestation, Invitation, RoleAssignment

__all__ = [
    "LANGUAGES", "ORGANISATION_KINDS", "CARD_ROLES", "PLAN_ROLES",
    "ApiToken", "Organisation", "User", "Base", "utcnow", "Axis", "Card", "Plan",
    "AuditEvent", "CompactedState", "CardUpdate", "Attestation", "Invitation", "RoleAssignment",
    "NOTIFICATION_KINDS", "THREAD_STATUSES", "Comment", "Notification", "Thread",
    "DECISIONS", "VERSION_KINDS", "CardVersion", "Signoff",
    "CONTRIBUTION_STATES", "OUTCOMES", "PLAN_STAGES", "REJECT_REASONS", "Consultation", "Contribution",
    "PlanDocument", "Publication",
]
