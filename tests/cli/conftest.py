"""The campaign stories' cast (local Bot API, sandbox client, an NGO) for `aman run` stories."""

from tests.campaigns.conftest import botapi, ngo, sandbox  # noqa: F401
