"""Use cases of the domain; each takes an open session and runs inside its transaction."""
