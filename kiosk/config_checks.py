"""Checks of single config values that need no Config: the file itself, the hub's URL (where
personal data may go) and the time zone. ``kiosk.config`` reads the sections with them."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from kiosk.config_reader import ConfigError, Section


def read_toml(config_file: Path) -> dict[str, Any]:
    import tomllib  # only with a config file: the embedded demo config needs none

    try:
        with config_file.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        raise ConfigError(f"{config_file}: file not found") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{config_file}: not UTF-8 text (save it as UTF-8)") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{config_file}: not valid TOML: {error}") from None
    except OSError as error:
        raise ConfigError(f"{config_file}: cannot be read: {error.strerror}") from None


def hub_url(hub: Section) -> str:
    """Empty means no hub. Personal data leaves the kiosk only over HTTPS (or to this machine)."""
    url = hub.text_or_empty("url")
    if url and not safe_transport(url):
        raise hub.fail("url", 'use https://… (plain http only to localhost), or "" for no hub')
    return url


def safe_transport(url: str) -> bool:
    """Judged by the parsed host, never by a prefix: "http://localhost.evil.example" and
    "http://127.0.0.1@evil.example/" both go to evil.example. https anywhere; http only to this
    machine (a loopback address or "localhost"); no user name or password in the URL."""
    from urllib.parse import urlsplit  # here, like ipaddress: only a config with a hub needs them

    try:
        parts = urlsplit(url)
        host, port = parts.hostname, parts.port
    except ValueError:  # a port that is not a number, a malformed IPv6 literal
        return False
    if not host or parts.username is not None or parts.password is not None:
        return False
    written = f"[{host}]" if ":" in host else host  # "[::1].evil.example" parses as ::1
    if parts.netloc.lower() not in (written, f"{written}:{port}"):
        return False
    if parts.scheme == "https":
        return True
    return parts.scheme == "http" and _is_loopback(host)


def _is_loopback(host: str) -> bool:
    import ipaddress

    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_timezone(name: str, source: str) -> None:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            f"{source}: [site] timezone = {name!r} is not a known time zone "
            "(use an IANA name such as 'Asia/Taipei' or 'Europe/Berlin')"
        ) from None
