"""`compliance.frozen.replaced` is dataclasses.replace, copying fields only where that is exact."""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace

from compliance.frozen import replaced


@dataclass(frozen=True)
class Plain:
    a: int
    b: tuple[str, ...] = ()


@dataclass(frozen=True)
class Derived:
    a: int
    double: int = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "double", self.a * 2)


def test_a_plain_frozen_dataclass_is_copied_field_for_field():
    one = Plain(1, ("x",))
    two = replaced(one, a=2)
    assert two == replace(one, a=2) and type(two) is Plain
    assert two is not one and one.a == 1
    assert all(getattr(two, f.name) is getattr(replace(one, a=2), f.name) for f in fields(Plain))


def test_a_dataclass_whose_init_derives_fields_goes_through_dataclasses_replace():
    got = replaced(Derived(1), a=5)
    assert got.double == 10  # a field copy would have kept 2
