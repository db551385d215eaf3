"""The conversation flows; importing this package registers all of them."""

from dialogs.flows import (  # noqa: F401
    about,
    browse,
    ideas,
    privacy,
    propose,
    results,
    settings,
    survey,
    vote,
    welcome,
)
