"""Reading a Teams activity: who, which tenant, which conversation, redelivery key."""

from __future__ import annotations

from microsoft_agents.activity import Activity

from bot.channels.teams.activity import is_personal, tenants_of, update_key, user_id_of


def activity(**fields: object) -> Activity:
    return Activity.model_validate(
        {
            "type": "message",
            "id": "1712000000000",
            "from": {"id": "29:1abc", "aadObjectId": "AAD-1"},
            "conversation": {"id": "a:1", "conversationType": "personal", "tenantId": "T-1"},
            **fields,
        }
    )


def test_user_is_the_entra_object_id_or_in_local_mode_the_channel_id() -> None:
    assert user_id_of(activity(), anonymous=False) == "AAD-1"
    assert user_id_of(activity(**{"from": {"id": "29:1abc"}}), anonymous=False) is None
    assert user_id_of(activity(**{"from": {"id": "29:1abc"}}), anonymous=True) == "29:1abc"
    long_id = "29:" + "x" * 200
    hashed = user_id_of(activity(**{"from": {"id": long_id}}), anonymous=True)
    assert hashed.startswith("sha256:") and len(hashed) <= 128


def test_tenants_from_conversation_and_channel_data() -> None:
    assert tenants_of(activity(channelData={"tenant": {"id": "T-2"}})) == {"t-1", "t-2"}
    assert tenants_of(activity(conversation={"id": "a:1"}, channelData={"x": 1})) == set()


def test_personal_chats_only() -> None:
    assert is_personal(activity())
    assert is_personal(activity(conversation={"id": "a:1"}))
    assert not is_personal(activity(conversation={"id": "19:x", "conversationType": "groupChat"}))
    assert not is_personal(activity(conversation={"id": "19:x", "isGroup": True}))


def test_update_key_is_per_conversation_and_fits_the_column() -> None:
    key = update_key(activity())
    assert len(key) == 64
    assert key == update_key(activity())
    assert key != update_key(activity(conversation={"id": "a:2"}))
    assert update_key(activity(id=None)) is None
