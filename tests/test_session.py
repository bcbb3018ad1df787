"""The guest session: forgetting the guest drops every answer still on its way (Qt-free)."""

from __future__ import annotations

from ui.session import GuestSession


def test_an_answer_for_a_forgotten_guest_is_dropped() -> None:
    session = GuestSession()
    shown: list[str] = []
    late = session.current(shown.append)
    session.sign_in("s-ann", "Ann Desk")
    session.invitation_code = "K7Q2M9XA"
    session.forget()  # the idle timer cleared the screen while a save was running
    late("the previous guest's badge")
    assert shown == []
    assert (session.staff_id, session.staff_name, session.invitation_code) == ("", "", "")
    fresh = session.current(shown.append)
    fresh("this guest's badge")
    assert shown == ["this guest's badge"]


def test_staff_are_named_by_their_id_when_they_have_no_name() -> None:
    session = GuestSession()
    session.sign_in("desk", "")
    assert session.staff_name == "desk"
