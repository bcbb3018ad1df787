"""Records: the typed value classes of the kiosk and the hub, made without ``dataclasses``.

Why not ``dataclasses``: it writes each class's ``__init__``, ``__repr__``, ``__eq__``,
``__hash__`` and frozen ``__setattr__``/``__delattr__`` as source text and compiles it with
``exec`` when the class is created. A ``kiosk checkin`` creates 32 such classes before it does
anything, and that cost 40 of its ~200 ms on this machine (1.2 ms a class, measured per class),
plus ~10 ms to import ``dataclasses`` itself (it imports ``inspect``, ``ast``, ``dis``). Here the
methods are written once, below, and read the class's field list, so a class costs only the
reading of its annotations (~20 µs). Making an instance costs about what a dataclass's does
(5,000 hosts: 18 ms against 19 ms), at worst ~1.5 µs more, which no path notices.

Use ``@record`` for an immutable record (the default, as ``@dataclass(frozen=True)``) and
``@record(frozen=False)`` for one that is filled in as work goes on (a report). Type checkers
read ``@record`` as a dataclass (PEP 681), so calls are checked against the fields.
What is left out on purpose: ``__post_init__``, ordering, keyword-only fields, slots.
"""

from __future__ import annotations

from collections.abc import Callable
from operator import attrgetter
from typing import Any, ClassVar, Final, TypeVar, dataclass_transform, overload

T = TypeVar("T")
R = TypeVar("R")


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


MISSING: Final = _Missing()


class FrozenRecordError(AttributeError):
    """An immutable record was assigned to (an ``AttributeError``, as for ``dataclasses``)."""


class Field:
    """One field of a record: its name, its default or the function that makes one, and whether
    ``repr`` shows it (a token is left out of logs)."""

    __slots__ = ("default", "default_factory", "name", "repr")

    def __init__(self, default: Any, default_factory: Any, repr: bool) -> None:
        self.name = ""
        self.default = default
        self.default_factory = default_factory
        self.repr = repr

    def __repr__(self) -> str:
        return f"Field({self.name!r})"


@overload
def field(*, default: T, repr: bool = True) -> T: ...
@overload
def field(*, default_factory: Callable[[], T], repr: bool = True) -> T: ...
def field(*, default: Any = MISSING, default_factory: Any = MISSING, repr: bool = True) -> Any:
    """A field with a default made afresh for each record (``default_factory``), or one that
    ``repr`` leaves out."""
    if default is not MISSING and default_factory is not MISSING:
        raise ValueError("a field takes a default or a default_factory, not both")
    return Field(default, default_factory, repr)


class _Spec:
    """What the shared methods need of a record class, worked out once when it is made."""

    __slots__ = ("defaults", "factories", "fields", "names", "places", "shown", "values")

    def __init__(self, fields: tuple[Field, ...]) -> None:
        self.fields = fields
        self.names = tuple(f.name for f in fields)
        self.places = {name: place for place, name in enumerate(self.names)}
        self.defaults = {f.name: f.default for f in fields if f.default is not MISSING}
        self.factories = {
            f.name: f.default_factory for f in fields if f.default_factory is not MISSING
        }
        self.shown = tuple(f.name for f in fields if f.repr)
        # The field values as a tuple, in C: compared and hashed by __eq__ and __hash__.
        if len(self.names) > 1:
            self.values: Callable[[Any], tuple[Any, ...]] = attrgetter(*self.names)
        elif self.names:
            only = self.names[0]
            self.values = lambda record: (getattr(record, only),)
        else:
            self.values = lambda record: ()


def _init(self: Any, *args: Any, **kwargs: Any) -> None:
    """The one ``__init__`` of every record: the defaults, then the arguments, written to the
    new instance's ``__dict__`` in a few C calls (a frozen record's ``__setattr__`` refuses)."""
    spec: _Spec = type(self).__record__
    if len(args) > len(spec.names):
        given = f"{len(args)} were given"
        raise TypeError(
            f"{type(self).__name__}() takes {len(spec.names)} positional arguments, {given}"
        )
    values = self.__dict__
    values.update(spec.defaults)
    values.update(zip(spec.names, args, strict=False))
    if kwargs:
        for name in kwargs:
            place = spec.places.get(name)
            if place is None:
                raise TypeError(
                    f"{type(self).__name__}() got an unexpected keyword argument {name!r}"
                )
            if place < len(args):
                raise TypeError(
                    f"{type(self).__name__}() got multiple values for argument {name!r}"
                )
        values.update(kwargs)
    for name, make in spec.factories.items():
        if name not in values:
            values[name] = make()
    if len(values) < len(spec.names):
        missing = next(name for name in spec.names if name not in values)
        raise TypeError(f"{type(self).__name__}() missing required argument: {missing!r}")


def _repr(self: Any) -> str:
    shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in type(self).__record__.shown)
    return f"{type(self).__qualname__}({shown})"


def _eq(self: Any, other: Any) -> Any:
    if other.__class__ is not self.__class__:
        return NotImplemented
    values = type(self).__record__.values
    return values(self) == values(other)


def _hash(self: Any) -> int:
    return hash(type(self).__record__.values(self))


def _frozen_setattr(self: Any, name: str, value: Any) -> None:
    raise FrozenRecordError(
        f"cannot assign to field {name!r} of an immutable {type(self).__name__}"
    )


def _frozen_delattr(self: Any, name: str) -> None:
    raise FrozenRecordError(f"cannot delete field {name!r} of an immutable {type(self).__name__}")


def _is_class_var(annotation: object) -> bool:
    if isinstance(annotation, str):  # ``from __future__ import annotations``
        return annotation.startswith(("ClassVar", "typing.ClassVar"))
    return getattr(annotation, "__origin__", annotation) is ClassVar


def _own_fields(cls: type) -> list[Field]:
    """The fields the class's own body declares, in order, leaving its class attributes as
    ``dataclasses`` does: the default where there is one, nothing where a factory makes it."""
    own = []
    # The class's own annotations (not its bases'), as written: no evaluation, no ``inspect``.
    for name, annotation in cls.__dict__.get("__annotations__", {}).items():  # noqa: RUF063
        if _is_class_var(annotation):
            continue
        value = cls.__dict__.get(name, MISSING)
        if isinstance(value, Field):
            made = value
            if made.default is MISSING:
                delattr(cls, name)
            else:
                setattr(cls, name, made.default)
        else:
            made = Field(value, MISSING, True)
        if isinstance(made.default, (list, dict, set)):
            raise ValueError(
                f"{cls.__name__}.{name}: a mutable default is shared, use default_factory"
            )
        made.name = name
        own.append(made)
    return own


def _make(cls: type[T], frozen: bool, init: bool, repr: bool, eq: bool) -> type[T]:
    inherited: dict[str, Field] = {}
    for base in reversed(cls.__mro__[1:]):  # as dataclasses: the farthest base first
        for f in getattr(base, "__record_fields__", ()):
            inherited[f.name] = f
    for f in _own_fields(cls):
        inherited[f.name] = f
    fields = tuple(inherited.values())
    cls.__record_fields__ = fields  # type: ignore[attr-defined]
    spec = _Spec(fields)
    cls.__record__ = spec  # type: ignore[attr-defined]
    cls.__match_args__ = spec.names  # type: ignore[attr-defined,misc]
    own = cls.__dict__
    if init and "__init__" not in own:
        cls.__init__ = _init  # type: ignore[method-assign]
    if repr and "__repr__" not in own:
        cls.__repr__ = _repr  # type: ignore[method-assign]
    if eq and "__eq__" not in own:
        cls.__eq__ = _eq  # type: ignore[method-assign]
    if eq and "__hash__" not in own:
        # An immutable record hashes by its values; a changing one cannot be hashed (as
        # dataclasses decide).
        cls.__hash__ = _hash if frozen else None  # type: ignore[method-assign,assignment]
    if frozen:
        cls.__setattr__ = _frozen_setattr  # type: ignore[method-assign]
        cls.__delattr__ = _frozen_delattr  # type: ignore[method-assign]
    return cls


@overload
def record(cls: type[T], /) -> type[T]: ...
@overload
def record(
    *, frozen: bool = True, init: bool = True, repr: bool = True, eq: bool = True
) -> Callable[[type[T]], type[T]]: ...
@dataclass_transform(frozen_default=True, field_specifiers=(field,))
def record(
    cls: type[T] | None = None,
    /,
    *,
    frozen: bool = True,
    init: bool = True,
    repr: bool = True,
    eq: bool = True,
) -> type[T] | Callable[[type[T]], type[T]]:
    """Make ``cls`` a record of the fields its annotations declare (its bases' first)."""
    if cls is None:
        return lambda made: _make(made, frozen, init, repr, eq)
    return _make(cls, frozen, init, repr, eq)


def fields(record_or_class: object) -> tuple[Field, ...]:
    """The record's fields, in order (as ``dataclasses.fields``)."""
    found: tuple[Field, ...] | None = getattr(record_or_class, "__record_fields__", None)
    if found is None:
        raise TypeError(f"{record_or_class!r} is not a record")
    return found


def replace(obj: R, /, **changes: Any) -> R:
    """A copy of the record with some fields changed (as ``dataclasses.replace``): the class's
    ``__init__`` makes it, so a misspelt field is a ``TypeError``."""
    values = {name: getattr(obj, name) for name in type(obj).__record__.names}  # type: ignore[attr-defined]
    values.update(changes)
    return type(obj)(**values)


def asdict(obj: object) -> dict[str, Any]:
    """The record as plain dicts, lists and tuples, all the way down (as ``dataclasses.asdict``)."""
    return {f.name: _plain(getattr(obj, f.name)) for f in fields(obj)}


def _plain(value: Any) -> Any:
    if hasattr(type(value), "__record__"):
        return asdict(value)
    if isinstance(value, (list, tuple)):
        return type(value)(_plain(item) for item in value)
    if isinstance(value, dict):
        return {_plain(key): _plain(item) for key, item in value.items()}
    return value
