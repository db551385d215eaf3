"""Every mapped table of budgetbot, importable from one place."""

from budgeting.models.ballot import Ballot, BallotRank, TallyRun
from budgeting.models.base import Base, utcnow
from budgeting.models.notification import Delivery, Notification, NotificationKind, SurveyAnswer
from budgeting.models.participant import ChannelIdentity, ConversationState, Participant
from budgeting.models.proposal import (
    ON_BALLOT,
    PUBLIC,
    Comment,
    CouncilDecision,
    Follower,
    ImplementationStatus,
    ImplementationUpdate,
    Proposal,
    ProposalStatus,
    Review,
)
from budgeting.models.round import Area, Audience, Criterion, Round

__all__ = [
    "ON_BALLOT",
    "PUBLIC",
    "Area",
    "Audience",
    "Ballot",
    "BallotRank",
    "Base",
    "ChannelIdentity",
    "Comment",
    "ConversationState",
    "CouncilDecision",
    "Criterion",
    "Delivery",
    "Follower",
    "ImplementationStatus",
    "ImplementationUpdate",
    "Notification",
    "NotificationKind",
    "Participant",
    "Proposal",
    "ProposalStatus",
    "Review",
    "Round",
    "SurveyAnswer",
    "TallyRun",
    "utcnow",
]
