"""Records (``kiosk.records``) behave as the frozen dataclasses they replace, and cost a command's
start nothing: making one compiles no code (``tests/test_lean_start.py`` checks that ``kiosk
checkin`` never imports ``dataclasses``)."""

from __future__ import annotations

import pickle
import sys
from collections.abc import Iterator
from typing import ClassVar

import pytest

from kiosk.records import FrozenRecordError, asdict, field, fields, record, replace


@record
class Point:
    """A plain immutable record."""

    LIMIT: ClassVar[int] = 10
    x: int
    y: int = 0
    tags: tuple[str, ...] = ()


@record
class Labelled(Point):
    label: str = ""
    secret: str = field(default="", repr=False)


@record(frozen=False)
class Tally:
    counts: dict[str, int] = field(default_factory=dict)
    seen: list[Point] = field(default_factory=list)


def test_a_record_is_made_as_a_dataclass_would_be() -> None:
    assert Point(1) == Point(x=1, y=0) == Point(1, 0, ())
    assert Point(1, 2).y == 2 and Point.LIMIT == 10 and Point.y == 0
    assert [f.name for f in fields(Labelled)] == ["x", "y", "tags", "label", "secret"]
    with pytest.raises(TypeError, match="missing required argument: 'x'"):
        Point()  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="unexpected keyword argument 'z'"):
        Point(1, z=3)  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="multiple values for argument 'x'"):
        Point(1, x=2)  # type: ignore[misc]
    with pytest.raises(TypeError, match="takes 3 positional arguments"):
        Point(1, 2, (), 4)  # type: ignore[call-arg]


def test_an_immutable_record_compares_hashes_and_refuses_changes() -> None:
    a, b = Labelled(1, label="door"), Labelled(1, label="door")
    assert a == b and hash(a) == hash(b) and len({a, b}) == 1
    assert a != Labelled(1, label="gate") and a != Point(1)  # another class is never equal
    with pytest.raises(FrozenRecordError):
        a.x = 2  # type: ignore[misc]
    with pytest.raises(AttributeError):
        del a.label  # type: ignore[misc]
    assert pickle.loads(pickle.dumps(a)) == a


def test_repr_leaves_out_what_is_marked_so() -> None:
    shown = repr(Labelled(1, label="door", secret="LK-TOKEN"))
    assert shown == "Labelled(x=1, y=0, tags=(), label='door')"


def test_a_changing_record_makes_fresh_defaults_and_is_not_hashable() -> None:
    one, two = Tally(), Tally()
    one.counts["a"] = 1
    assert two.counts == {} and one != two
    with pytest.raises(TypeError):
        hash(one)


def test_replace_and_asdict() -> None:
    moved = replace(Labelled(1, label="door"), y=5)
    assert moved == Labelled(1, 5, label="door")
    with pytest.raises(TypeError):
        replace(moved, z=1)
    tally = Tally({"a": 1}, [Point(1, tags=("t",))])
    assert asdict(tally) == {"counts": {"a": 1}, "seen": [{"x": 1, "y": 0, "tags": ("t",)}]}


def test_a_shared_mutable_default_is_refused() -> None:
    with pytest.raises(ValueError, match="mutable default"):

        @record
        class Shared:
            items: list[int] = []  # noqa: RUF012


@pytest.fixture
def compiled() -> Iterator[list[str]]:
    """The code compiled while the fixture is open, as Python's audit hooks report it (a hook
    cannot be removed, so it reports only while its list is open)."""
    events: list[str] = []
    open_ = [True]

    def hook(event: str, args: tuple[object, ...]) -> None:
        if open_[0] and event in ("compile", "exec"):
            events.append(event)

    sys.addaudithook(hook)
    yield events
    open_[0] = False


def test_making_a_record_compiles_nothing(compiled: list[str]) -> None:
    """``dataclasses`` compiles five or six methods per frozen class at import: 32 classes
    were ~40 ms of every ``kiosk checkin``."""

    @record
    class Badge:
        name: str
        host: str = ""

    assert Badge("Ada") == Badge("Ada", "")
    assert compiled == []
