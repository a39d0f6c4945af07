"""What a published notice may not show: phone numbers, ID numbers and people's full names.

Applied when a notice is published (and to what residents write in objections), so every
rendering (web page, print, chat text, feed, API) shows the same masked text.
"""

from __future__ import annotations

import re

from django.db.models import Q

from qinlin.core.masking import mask_name, mask_phone
from qinlin.people.models import Person
from qinlin.places.models import SEGMENT, Place

# Mainland mobile numbers, not inside a longer run of digits.
PHONE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
# Resident ID numbers: 17 digits and a check digit or X.
ID_NUMBER = re.compile(r"(?<!\d)\d{17}[\dXx](?!\d)")


def known_names(place: Place) -> list[str]:
    """Names of the people who live or hold a role in the compound of `place` (or under it,
    for a community), longest first: a three-character name is masked before a two-character
    one inside it."""
    prefix = place.path[: 3 * SEGMENT]
    names = (
        Person.objects.filter(
            Q(residencies__home__path__startswith=prefix)
            | Q(role_assignments__place__path__startswith=prefix)
        )
        .values_list("name", flat=True)
        .distinct()
    )
    return sorted({n for n in names if len(n) >= 2}, key=len, reverse=True)


def masked(text: str, names: list[str]) -> str:
    text = PHONE.sub(lambda m: mask_phone(m.group()), text)
    text = ID_NUMBER.sub(lambda m: m.group()[:6] + "*" * 8 + m.group()[-4:], text)
    for name in names:
        if name in text:
            text = text.replace(name, mask_name(name))
    return text
