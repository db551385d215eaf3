"""Every mapped table of budgetbot, importable from one place."""

from budgeting.models.ballot import Ballot, BallotRank, PublishedFile, TallyRun, VotingCode
from budgeting.models.base import Base, utcnow
from budgeting.models.notification import (
    Delivery,
    Notification,
    NotificationKind,
    OutgoingReply,
    SurveyAnswer,
)
from budgeting.models.participant import (
    ChannelIdentity,
    ConversationState,
    Participant,
    ProcessedUpdate,
)
from budgeting.models.proposal import (
    ON_BALLOT,
    PUBLIC,
    Comment,
    CommentAgreement,
    CommentFlag,
    CouncilDecision,
    Follower,
    ImplementationStatus,
    ImplementationUpdate,
    Proposal,
    ProposalStatus,
    Review,
    Support,
)
from budgeting.models.round import Area, Audience, BallotKind, Criterion, Round
from budgeting.models.staff import (
    AuditEntry,
    Campaign,
    LoginFailure,
    StaffRole,
    StaffSession,
    StaffUser,
)

__all__ = [
    "ON_BALLOT",
    "PUBLIC",
    "Area",
    "AuditEntry",
    "Campaign",
    "LoginFailure",
    "Audience",
    "Ballot",
    "BallotKind",
    "BallotRank",
    "Base",
    "ChannelIdentity",
    "Comment",
    "CommentAgreement",
    "CommentFlag",
    "ConversationState",
    "CouncilDecision",
    "Criterion",
    "Delivery",
    "Follower",
    "ImplementationStatus",
    "ImplementationUpdate",
    "Notification",
    "NotificationKind",
    "OutgoingReply",
    "Participant",
    "ProcessedUpdate",
    "PublishedFile",
    "Proposal",
    "ProposalStatus",
    "Review",
    "Round",
    "StaffRole",
    "StaffSession",
    "StaffUser",
    "Support",
    "SurveyAnswer",
    "TallyRun",
    "VotingCode",
    "utcnow",
]
