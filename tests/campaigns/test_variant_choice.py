"""Which words each reader gets: their own language, else its base, else English, else the
campaign's default; a partner's channel, which has no reader language, gets the default."""

from __future__ import annotations

from campaigns.variants import pick


def test_each_reader_gets_the_closest_language_the_campaign_has() -> None:
    languages = ["ar", "fr"]
    assert pick(languages, "ar-MA", default="fr") == "ar"
    assert pick(languages, "fr", default="ar") == "fr"
    assert pick(languages, "ha", default="fr") == "fr"  # no Hausa, no English: the default
    assert pick(["en", "fr"], "ha", default="fr") == "en"  # English before the default


def test_a_partner_channel_gets_the_campaigns_own_language_first() -> None:
    assert pick(["en", "fr"], None, default="fr") == "fr"
    assert pick(["en", "ar"], None, default="fr") == "en"
