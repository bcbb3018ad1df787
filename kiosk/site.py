"""The composition root: one kiosk's core, put together in one place.

Every command and the window open a ``Site`` instead of building stores, key rings, tokens, host
directories and deny lists themselves. That is what makes "which key signs a badge" a single
answer: the key ring always comes from ``[badge] signing_key_file`` when the site set one (a
command that once built its own ring from the local key folder signed with a stray key that other
kiosks of the site rejected). Parts that need keys are made on first use, so a command that only
lists staff never creates a key file.
"""

from __future__ import annotations

from functools import cached_property
from types import TracebackType
from typing import TYPE_CHECKING

from kiosk.badges import BadgeTokens
from kiosk.checkin import CheckinService
from kiosk.config import Config
from kiosk.denylist import DenyList
from kiosk.hosts import HostDirectory
from kiosk.keys import KeyRing, load_or_create
from kiosk.store import Store
from kiosk.timeutil import Clock, utc_now

if TYPE_CHECKING:  # loaded when first used, so a `kiosk checkin` does not pay for them
    from kiosk.checkout import CheckoutService
    from kiosk.models import OnSite


def site_keys(config: Config, clock: Clock = utc_now) -> KeyRing:
    """The badge key ring: the site's key file when configured, else this kiosk's own. The one
    place a ring is opened; key commands that need no store use it directly."""
    return load_or_create(config.keys_dir, clock(), config.signing_key_file)


class Site:
    """The store and the services over it, for one kiosk's config and clock."""

    def __init__(self, config: Config, store: Store, clock: Clock = utc_now) -> None:
        self.config = config
        self.store = store
        self.clock = clock

    @classmethod
    def open(cls, config: Config, clock: Clock = utc_now) -> Site:
        return cls(config, Store(config.database_path), clock)

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Site:
        return self

    def __exit__(
        self,
        _type: type[BaseException] | None,
        _error: BaseException | None,
        _trace: TracebackType | None,
    ) -> None:
        self.close()

    @cached_property
    def keys(self) -> KeyRing:
        return site_keys(self.config, self.clock)

    @cached_property
    def tokens(self) -> BadgeTokens:
        return BadgeTokens(self.keys, self.config, self.store)

    @cached_property
    def directory(self) -> HostDirectory:
        return HostDirectory(self.store, self.config)

    @cached_property
    def deny_list(self) -> DenyList:
        return DenyList(self.store, self.config.keys_dir)

    @cached_property
    def checkin(self) -> CheckinService:
        return CheckinService(
            self.store,
            self.config,
            self.clock,
            self.directory,
            deny_list=self.deny_list,
            tokens=self.tokens,
        )

    @cached_property
    def checkout(self) -> CheckoutService:
        from kiosk.checkout import CheckoutService

        return CheckoutService(self.store, self.config, self.tokens, self.clock)

    def on_site(self, query: str = "") -> list[OnSite]:
        """Who is on site: the whole site's list when the hub answers, this kiosk's otherwise.
        Blocking network I/O: call it from a worker, never on the GUI thread."""
        from kiosk.onsite import people_on_site

        return people_on_site(self.store, self.directory, self.config, self.clock(), query)
