"""CLI commands for badges: keys, verification and check-out (``kiosk keys|verify|checkout``)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from kiosk.checkout import CheckoutError
from kiosk.cli_args import now_option
from kiosk.config import Config
from kiosk.errors import KeyRingError, UsageError
from kiosk.i18n import Translator
from kiosk.keys import KeyRing, import_public_keys, rotate
from kiosk.plurals import how_many
from kiosk.site import Site, site_keys
from kiosk.timeutil import to_db, utc_now
from kiosk.tokens import Verdict


class BadgeUsageError(UsageError):
    """Printed as one line, exit code 2."""


def add_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    keys = sub.add_parser("keys", help="badge signing keys")
    keys_sub = keys.add_subparsers(required=True, metavar="ACTION")
    export = keys_sub.add_parser("export", help="print the public keys as JSON")
    export.set_defaults(command=_keys_export)
    rotate_cmd = keys_sub.add_parser("rotate", help="start signing with a new key")
    rotate_cmd.set_defaults(command=_keys_rotate)
    import_cmd = keys_sub.add_parser("import", help="trust the public keys in FILE")
    import_cmd.add_argument("file", type=Path)
    import_cmd.set_defaults(command=_keys_import)

    verify = sub.add_parser(
        "verify",
        help="check a badge: valid, expired, not yet valid, revoked, wrong site, unknown key, "
        "forged or malformed (exit 0 only for valid)",
    )
    source = verify.add_mutually_exclusive_group(required=True)
    source.add_argument("token", nargs="?", help="the text of the badge QR code")
    source.add_argument("--image", type=Path, help="a PNG, JPEG or PDF with the badge on it")
    verify.add_argument("--now", help="check as if at this ISO-8601 time")
    verify.add_argument("--json", action="store_true")
    verify.set_defaults(command=_verify)

    checkout = sub.add_parser("checkout", help="check a visitor out (badge, short code or id)")
    target = checkout.add_mutually_exclusive_group(required=True)
    target.add_argument("code", nargs="?", help="badge token, 8-character code or visit id")
    target.add_argument("--auto", action="store_true", help="run the end-of-day check-out now")
    checkout.add_argument("--now", help="with --auto: act as if at this ISO-8601 time")
    checkout.add_argument("--staff", default="desk", help="staff id for the audit trail")
    checkout.set_defaults(command=_checkout)


def open_keys(config: Config) -> KeyRing:
    try:
        return site_keys(config)
    except KeyRingError as error:
        raise BadgeUsageError(str(error)) from None


def _keys_export(args: argparse.Namespace, config: Config) -> int:
    print(json.dumps({"site": config.site_name, **open_keys(config).export()}, indent=2))
    return 0


def _keys_rotate(args: argparse.Namespace, config: Config) -> int:
    ring = rotate(open_keys(config), config.keys_dir, utc_now())
    print(f"now signing with key {ring.current_kid.hex()}; older badges stay verifiable")
    return 0


def _keys_import(args: argparse.Namespace, config: Config) -> int:
    try:
        exported = json.loads(args.file.read_text(encoding="utf-8"))
        added = import_public_keys(open_keys(config), exported)
    except (OSError, json.JSONDecodeError) as error:
        raise BadgeUsageError(f"{args.file}: cannot read a key export ({error})") from None
    except KeyRingError as error:
        raise BadgeUsageError(f"{args.file}: {error}") from None
    print(f"imported {how_many(added, 'new public key')}")
    return 0


def _verify(args: argparse.Namespace, config: Config) -> int:
    now = now_option(args.now, config.zone)
    tokens = [args.token] if args.token is not None else _tokens_in(args.image)
    with Site.open(config) as site:
        checker = site.tokens
        results = [checker.check(token, now) for token in tokens]
    if not results:
        print("malformed: no badge QR code found in the image")
        return Verdict.MALFORMED.exit_code
    worst = max(results, key=lambda r: r.verdict.exit_code)
    for result in results:
        claims = result.claims
        if args.json:
            print(
                json.dumps(
                    {
                        "result": result.verdict.value,
                        "visit_id": claims.visit_id if claims else None,
                        "valid_from": to_db(claims.valid_from) if claims else None,
                        "expires": to_db(claims.expires) if claims else None,
                        "zone": claims.zone if claims else None,
                    }
                )
            )
        else:
            detail = f" (visit {claims.visit_id}, until {to_db(claims.expires)})" if claims else ""
            print(f"{result.verdict.value}{detail}")
    return worst.verdict.exit_code


def _tokens_in(image: Path) -> list[str]:
    # Imported here: Pillow is ~10 ms that ``kiosk verify TOKEN``, ``keys`` and ``checkout`` do
    # not need (a CLI command imports only what it uses, #17).
    from kiosk.qrdecode import UnreadableImageError, decode_file

    try:
        return decode_file(image)
    except UnreadableImageError as error:
        raise BadgeUsageError(str(error)) from None
    except FileNotFoundError:
        raise BadgeUsageError(f"{image}: file not found") from None


def _checkout(args: argparse.Namespace, config: Config) -> int:
    with Site.open(config) as site:
        service = site.checkout
        if args.auto:
            now = now_option(args.now, config.zone)
            print(f"checked out {how_many(service.auto_check_out(now), 'visit')}")
            return 0
        try:
            visit = service.check_out(args.code, kind="staff", actor=f"staff:{args.staff}")
        except CheckoutError as error:
            print(f"kiosk: {Translator('en')(error.reason)}", file=sys.stderr)
            return 2
    print(f"checked out: visit {visit.id}")
    return 0
