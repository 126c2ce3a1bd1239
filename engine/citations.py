"""Citations a machine can follow: the Dutch text of a rule's source and its deep link.

A rule set names its texts by identifier (`bwb: BWBR0015703` for national law on
wetten.overheid.nl, `cvdr: CVDR714103/1` for local regulations on lokaleregelgeving.overheid.nl,
or a `url` for beleidsregels and web pages); each rule cites one of them with an article, lid,
onderdeel and the date of the text that was read. This module is the one place that turns that
into "Participatiewet, art. 10d lid 4 (tekst 1-1-2025)" and
https://wetten.overheid.nl/BWBR0015703/2025-01-01#Artikel10d.
"""

from __future__ import annotations

import re
from datetime import date

WETTEN = "https://wetten.overheid.nl"
LOKALE_REGELGEVING = "https://lokaleregelgeving.overheid.nl"

BWB_ID = re.compile(r"^BWBR\d{7}$")
CVDR_ID = re.compile(r"^CVDR\d+(/\d+)?$")  # /n: the version read; without it the current one

# An article number as laws number them: 10d, 2.16, 7a, 3:63, 1.1, I, 29b. Anything else cited
# in a law or local regulation must be one of the parts below that are not articles.
ARTICLE_NUMBER = re.compile(r"^(\d+[a-z]{0,3}([.:]\d+[a-z]{0,3})*|[IVXLC]+[a-z]?)$")
NOT_AN_ARTICLE = re.compile(
    r"^(aanhef|titel|considerans|toelichting|algemene toelichting|artikelsgewijze toelichting"
    r"|bijlage( \w+)?|hoofdstuk \w+|paragraaf [\w.]+)$"
)


def is_article_number(article: str) -> bool:
    return bool(ARTICLE_NUMBER.match(article))


def resolves(article: str) -> bool:
    """Whether a citation of a law or regulation names a part of it that can be found: an
    article number, or the aanhef, the toelichting, a bijlage, a hoofdstuk or paragraaf."""
    return is_article_number(article) or bool(NOT_AN_ARTICLE.match(article))


def dutch_date(day: date) -> str:
    """1-1-2025: how a citation names the text it read (no leading zeros)."""
    return f"{day.day}-{day.month}-{day.year}"


def deep_link(
    *,
    bwb: str | None,
    cvdr: str | None,
    url: str | None,
    article: str | None,
    text_date: date | None,
) -> str:
    """The address of the cited text: for national law the version in force on the text date,
    at the article (wetten.overheid.nl's anchors are #Artikel10d, #Artikel2.16); for a local
    regulation the version read (lokaleregelgeving.overheid.nl has no article anchors); else
    the page itself."""
    if bwb:
        link = f"{WETTEN}/{bwb}" + (f"/{text_date.isoformat()}" if text_date else "")
        if article and is_article_number(article):
            link += f"#Artikel{article}"
        return link
    if cvdr:
        return f"{LOKALE_REGELGEVING}/{cvdr}"
    return url or ""


def citation_text(
    *,
    title: str,
    article: str | None,
    lid: str | None = None,
    onderdeel: str | None = None,
    note: str | None = None,
    text_date: date | None = None,
    page: bool = False,
) -> str:
    """Dutch: "Participatiewet, art. 10d lid 4 (tekst 1-1-2025)". A page's section is named as
    written and its date is the day it was read ("gelezen 29-11-2026"); a citation without
    structure (a parameter's free-text article) is title and article as written."""
    parts = [title]
    if article:
        where = f"art. {article}" if is_article_number(article) else article
        if lid:
            where += f" lid {lid}"
        if onderdeel:
            where += f" onder {onderdeel}"
        parts.append(where)
    text = ", ".join(parts)
    if note:  # "art. 1.1 en art. 2.5", "art. 10d lid 5, tweede zin"
        text += (" " if note.startswith(("en ", "met ", "tot ")) else ", ") + note
    if text_date:
        text += f" ({'gelezen' if page else 'tekst'} {dutch_date(text_date)})"
    return text
