"""What a Teams activity says about who sent it, from where, and how to reach them again."""

from __future__ import annotations

import hashlib

from microsoft_agents.activity import Activity

MAX_EXTERNAL_ID = 128  # ChannelIdentity.external_id


def user_id_of(activity: Activity, anonymous: bool) -> str | None:
    """The Entra object id of the sender; their channel id only in anonymous local mode."""
    sender = activity.from_property
    if sender is None:
        return None
    user_id = sender.aad_object_id or (sender.id if anonymous else None)
    if user_id and len(user_id) > MAX_EXTERNAL_ID:
        user_id = "sha256:" + hashlib.sha256(user_id.encode()).hexdigest()
    return user_id


def tenants_of(activity: Activity) -> set[str]:
    """Every tenant id the activity names (conversation and Teams channel data)."""
    tenants = set()
    if activity.conversation and activity.conversation.tenant_id:
        tenants.add(activity.conversation.tenant_id.lower())
    data = activity.channel_data
    tenant = data.get("tenant") if isinstance(data, dict) else None
    if isinstance(tenant, dict) and isinstance(tenant.get("id"), str) and tenant["id"]:
        tenants.add(tenant["id"].lower())
    return tenants


def is_personal(activity: Activity) -> bool:
    """True for a one-to-one chat with the bot."""
    conversation = activity.conversation
    kind = conversation.conversation_type if conversation else None
    return kind in (None, "personal") and not (conversation and conversation.is_group)


def update_key(activity: Activity) -> str | None:
    """A redelivery key: Teams message ids are timestamps, unique only within a conversation."""
    if not activity.id or not activity.conversation:
        return None
    return hashlib.sha256(f"{activity.conversation.id}\n{activity.id}".encode()).hexdigest()


def stored_reference(activity: Activity) -> dict[str, object]:
    """The conversation reference to keep for proactive messages (no per-message ids)."""
    reference = activity.get_conversation_reference()
    reference.activity_id = None
    reference.request_id = None
    return reference.model_dump(mode="json", by_alias=True, exclude_none=True)


__all__ = ["is_personal", "stored_reference", "tenants_of", "update_key", "user_id_of"]
