"""The place tree: subdistrict → community → compound → building → unit → home (domain.md §2).

One table holds every level. `path` is a materialised path of fixed-width segments, so
"everything under X" is the index range `X.path <= path < X.path + '~'` on both SQLite and
PostgreSQL, and the ancestors of a place are the prefixes of its path.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, TypeVar

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from qinlin.core.ids import new_uid

SEGMENT = 4
# Segments use 0-9a-z; "~" sorts after all of them, which closes the descendant range.
PATH_END = "~"


class PlaceKind(models.TextChoices):
    SUBDISTRICT = "subdistrict", _("街道")
    COMMUNITY = "community", _("社区")
    COMPOUND = "compound", _("小区")
    BUILDING = "building", _("楼栋")
    UNIT = "unit", _("单元")
    HOME = "home", _("户")


KIND_ORDER = [
    PlaceKind.SUBDISTRICT,
    PlaceKind.COMMUNITY,
    PlaceKind.COMPOUND,
    PlaceKind.BUILDING,
    PlaceKind.UNIT,
    PlaceKind.HOME,
]
PARENT_KIND: dict[str, PlaceKind | None] = {
    kind.value: (KIND_ORDER[i - 1] if i else None) for i, kind in enumerate(KIND_ORDER)
}


class Place(models.Model):
    uid = models.CharField(
        _("公开编号"), max_length=16, unique=True, default=new_uid, editable=False
    )
    kind = models.CharField(_("类型"), max_length=16, choices=PlaceKind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField(_("路径"), max_length=64, unique=True, editable=False)
    name = models.CharField(_("名称"), max_length=100)
    # Homes only: the exclusive part as registered (不动产登记).
    register_no = models.CharField(_("不动产登记号"), max_length=64, blank=True, default="")
    area = models.DecimalField(
        _("专有部分面积（㎡）"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    owner_key = models.CharField(
        _("业主标识"),
        max_length=64,
        blank=True,
        default="",
        help_text=_("同一业主拥有多套房屋时填写相同标识，表决时计为一人。"),
    )
    developer_unsold = models.BooleanField(
        _("开发商未售出"),
        default=False,
        help_text=_("开发建设单位尚未出售或未交付的房屋合计计为一人。"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("地点")
        verbose_name_plural = _("地点")
        ordering = ["path"]
        constraints = [
            models.UniqueConstraint(fields=["parent", "name"], name="place_unique_name_in_parent"),
            models.CheckConstraint(
                condition=(Q(kind="home", area__gt=0) | (~Q(kind="home") & Q(area__isnull=True))),
                name="place_area_only_and_always_on_homes",
            ),
            models.CheckConstraint(
                condition=Q(kind="subdistrict") | Q(parent__isnull=False),
                name="place_only_subdistricts_are_roots",
            ),
        ]
        indexes = [
            # "homes (or compounds, …) under place X": kind = ? AND path range.
            models.Index(fields=["kind", "path"], name="place_kind_path"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def depth(self) -> int:
        return len(self.path) // SEGMENT

    @property
    def ancestor_paths(self) -> list[str]:
        """The paths of this place and every place above it, root first."""
        return [self.path[:end] for end in range(SEGMENT, len(self.path) + 1, SEGMENT)]

    @property
    def is_home(self) -> bool:
        return self.kind == PlaceKind.HOME

    @property
    def address(self) -> str:
        """The names from the compound down ("上河园 3号楼 2单元"). Walks `parent`, so callers
        select_related the chain up to the compound to keep it query-free."""
        names = [self.name]
        node = self
        while node.kind not in (PlaceKind.COMPOUND, PlaceKind.COMMUNITY, PlaceKind.SUBDISTRICT):
            if node.parent is None:
                break
            node = node.parent
            names.append(node.name)
        return " ".join(reversed(names))

    def subtree_q(self, prefix: str = "") -> Q:
        """A filter for this place and everything under it (on a relation when `prefix` is set)."""
        return self.path_range_q(f"{prefix}path" if prefix else "path")

    def path_range_q(self, field: str) -> Q:
        """The same filter on a copy of the path another table keeps (`AtPlace.place_path`)."""
        return under_path(self.path, field)

    def contains(self, other: Place) -> bool:
        return other.path.startswith(self.path)


def under_path(path: str, field: str) -> Q:
    """`field` (a place's path, or a copy of one) at `path` or under it: an index range."""
    return Q(**{f"{field}__gte": path, f"{field}__lt": path + PATH_END})


class AtPlace(models.Model):
    """A record kept at a place (an appeal, a topic, a notice) with a copy of the place's path,
    set on save: a place's path never changes, so "the records under X, newest first" is a range
    of the record's own index instead of a join through every place under X (at 1,000,000
    homes, 8,000 places under the bench's community and 25,000 under its subdistrict;
    bench/RESULTS.md, fixes 8 and 14)."""

    place: models.ForeignKey[Place, Place]
    place_id: int
    place_path = models.CharField(_("地点路径"), max_length=64, editable=False, default="")

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        # A save of named fields that leaves the place alone needs no copy (nor the query
        # that reading an unloaded place would cost).
        fields = kwargs.get("update_fields")
        if fields is None:
            self.place_path = self.place.path
        elif "place" in fields:
            self.place_path = self.place.path
            kwargs["update_fields"] = {*fields, "place_path"}
        super().save(*args, **kwargs)


Placed = TypeVar("Placed", bound=AtPlace)


def with_place_paths(rows: list[Placed]) -> list[Placed]:
    """The rows, each with its place's path: what `save` sets, for `bulk_create`, which does
    not call it. One query."""
    paths = dict(Place.objects.filter(pk__in={r.place_id for r in rows}).values_list("pk", "path"))
    for row in rows:
        row.place_path = paths[row.place_id]
    return rows


def segment(number: int) -> str:
    """The fixed-width base-36 segment for a place's position among its siblings."""
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    if not 0 <= number < 36**SEGMENT:
        raise ValueError(f"sibling number out of range: {number}")
    out = ""
    for _position in range(SEGMENT):
        number, rest = divmod(number, 36)
        out = digits[rest] + out
    return out


def segment_number(text: str) -> int:
    return int(text, 36)
