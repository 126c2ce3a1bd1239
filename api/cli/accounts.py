"""`arrangeur users ...` and `arrangeur organisations ...`: accounts, from the server's own
machine (local and trusted: no login; every change is audited as user `cli`).

Exit codes: 0 ok, 2 bad input (unknown organisation or user, a role that does not exist, a
password too short).
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from typing import Any

from engine.accounts import CLI, KINDS, ROLES, AccountError, Accounts

DB_HELP = "database-URL (standaard ARRANGEUR_DATABASE_URL, anders de SQLite-caseload)"


def register(sub: Any) -> None:
    """Add `users` and `organisations` to the main parser's subcommands."""
    _register_users(sub)
    _register_organisations(sub)


def _register_users(sub: Any) -> None:
    p = sub.add_parser("users", help="gebruikers, rollen en API-tokens")
    p.add_argument("--db", help=DB_HELP)
    p.set_defaults(func=_run)
    us = p.add_subparsers(dest="users_command", required=True)

    c = us.add_parser("add", help="nieuwe gebruiker (vraagt om een wachtwoord)")
    c.add_argument("name")
    c.add_argument("--organisation", required=True, help="slug van de organisatie")
    c.add_argument("--role", action="append", required=True, choices=ROLES,
                   help="rol; herhaal voor meer rollen")  # fmt: skip
    c.add_argument("--password-stdin", action="store_true", help="lees het wachtwoord van stdin")
    c.add_argument("--no-password", action="store_true",
                   help="geen wachtwoord: alleen API-tokens")  # fmt: skip
    c.set_defaults(action=cmd_user_add)

    c = us.add_parser("token", help="nieuw API-token (eenmalig getoond)")
    c.add_argument("name")
    c.add_argument("--name", dest="label", default="token", help="waarvoor het token dient")
    c.set_defaults(action=cmd_token)

    c = us.add_parser("revoke", help="trek API-tokens in (op hun begin, zoals `list` toont)")
    c.add_argument("name")
    c.add_argument("prefix")
    c.set_defaults(action=cmd_revoke)

    c = us.add_parser("roles", help="zet de rollen van een gebruiker (beëindigt de sessies)")
    c.add_argument("name")
    c.add_argument("--role", action="append", required=True, choices=ROLES)
    c.set_defaults(action=cmd_roles)

    c = us.add_parser("password", help="nieuw wachtwoord (vraagt erom; of --password-stdin)")
    c.add_argument("name")
    c.add_argument("--password-stdin", action="store_true")
    c.set_defaults(action=cmd_password)

    c = us.add_parser("list", help="alle gebruikers")
    c.add_argument("--organisation")
    c.add_argument("--format", choices=["text", "json"], default="text")
    c.set_defaults(action=cmd_user_list)

    c = us.add_parser("remove", help="verwijder een gebruiker en zijn tokens")
    c.add_argument("name")
    c.set_defaults(action=cmd_user_remove)


def _register_organisations(sub: Any) -> None:
    p = sub.add_parser("organisations", help="organisaties (gemeente, UWV, wsp, adviseur)")
    p.add_argument("--db", help=DB_HELP)
    p.set_defaults(func=_run)
    os_ = p.add_subparsers(dest="organisations_command", required=True)

    c = os_.add_parser("add", help="nieuwe organisatie")
    c.add_argument("slug", help="korte naam: kleine letters, cijfers, -")
    c.add_argument("--name", required=True)
    c.add_argument("--kind", required=True, choices=KINDS)
    c.add_argument(
        "--authority",
        action="append",
        default=[],
        help="instantie waarvoor zij spreekt: gemeente:GM0153, regio:twente, uwv",
    )
    c.set_defaults(action=cmd_org_add)

    c = os_.add_parser("list", help="alle organisaties")
    c.add_argument("--format", choices=["text", "json"], default="text")
    c.set_defaults(action=cmd_org_list)


def _run(args: argparse.Namespace) -> int:
    # a bad URL or an unreachable database: a Dutch message and exit 2 (api.cli.main)
    accounts = Accounts(args.db)
    try:
        return int(args.action(args, accounts))
    except AccountError as exc:
        print(exc.message, file=sys.stderr)
        return 2
    finally:
        accounts.close()


def _password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Wachtwoord (ten minste 12 tekens): ")
    if getpass.getpass("Nog een keer: ") != first:
        raise AccountError("de wachtwoorden verschillen")
    return first


def cmd_user_add(args: argparse.Namespace, accounts: Accounts) -> int:
    password = None if args.no_password else _password(args)
    user = accounts.add_user(args.name, args.organisation, args.role, password)
    accounts.audit(CLI, "user.add", "user", user.username,
                   {"organisation": user.organisation, "roles": list(user.roles)})  # fmt: skip
    print(f"gebruiker {user.username} ({user.organisation}: {', '.join(user.roles)}) toegevoegd")
    return 0


def cmd_token(args: argparse.Namespace, accounts: Accounts) -> int:
    token = accounts.new_token(args.name, args.label)
    accounts.audit(CLI, "token.new", "token", token[:10], {"user": args.name})
    print(token)
    print("Bewaar dit token nu: het wordt niet opnieuw getoond "
          "(gebruik: Authorization: Bearer <token>).", file=sys.stderr)  # fmt: skip
    return 0


def cmd_revoke(args: argparse.Namespace, accounts: Accounts) -> int:
    n = accounts.revoke_token(args.name, args.prefix)
    if not n:
        raise AccountError(f"geen geldig token van {args.name} dat begint met {args.prefix!r}")
    accounts.audit(CLI, "token.revoke", "token", args.prefix[:10], {"user": args.name})
    print(f"{n} token(s) ingetrokken")
    return 0


def cmd_roles(args: argparse.Namespace, accounts: Accounts) -> int:
    before = accounts.user(args.name).roles
    user = accounts.set_roles(args.name, args.role)
    accounts.audit(CLI, "user.roles", "user", user.username,
                   {"before": list(before), "after": list(user.roles)})  # fmt: skip
    print(f"{user.username}: {', '.join(user.roles)}")
    return 0


def cmd_password(args: argparse.Namespace, accounts: Accounts) -> int:
    accounts.set_password(args.name, _password(args))
    accounts.audit(CLI, "user.password", "user", args.name, {})
    print(f"wachtwoord van {args.name} gewijzigd; de sessies zijn beëindigd")
    return 0


def cmd_user_list(args: argparse.Namespace, accounts: Accounts) -> int:
    users = accounts.users(args.organisation)
    if args.format == "json":
        rows = [{"username": u.username, "organisation": u.organisation, "roles": list(u.roles),
                 "active": u.active, "tokens": [t.__dict__ | {
                     "created_at": t.created_at.isoformat(),
                     "last_used": t.last_used.isoformat() if t.last_used else None}
                     for t in accounts.tokens(u.username)]} for u in users]  # fmt: skip
        print(json.dumps(rows, indent=2, ensure_ascii=False))
        return 0
    for u in users:
        locked = f", geblokkeerd tot {u.locked_until:%H:%M} UTC" if u.locked_until else ""
        print(f"{u.username}\t{u.organisation}\t{', '.join(u.roles)}\t{u.tokens} token(s){locked}")
        for t in accounts.tokens(u.username):
            if not t.revoked:
                used = f"{t.last_used:%Y-%m-%d}" if t.last_used else "nooit"
                print(f"  {t.prefix}…\t{t.name}\tgemaakt {t.created_at:%Y-%m-%d}, gebruikt {used}")
    if not users:
        print("nog geen gebruikers (arrangeur users add NAAM --organisation ORG --role ROL)")
    return 0


def cmd_user_remove(args: argparse.Namespace, accounts: Accounts) -> int:
    accounts.remove_user(args.name)
    accounts.audit(CLI, "user.remove", "user", args.name, {})
    print(f"gebruiker {args.name} verwijderd")
    return 0


def cmd_org_add(args: argparse.Namespace, accounts: Accounts) -> int:
    org = accounts.add_organisation(args.slug, args.name, args.kind, args.authority)
    accounts.audit(CLI, "organisation.add", "organisation", org.slug,
                   {"kind": org.kind, "authorities": list(org.authorities)})  # fmt: skip
    print(f"organisatie {org.slug} ({org.name}, {org.kind}) toegevoegd")
    return 0


def cmd_org_list(args: argparse.Namespace, accounts: Accounts) -> int:
    orgs = accounts.organisations()
    if args.format == "json":
        print(json.dumps([o.__dict__ | {"authorities": list(o.authorities)} for o in orgs],
                         indent=2, ensure_ascii=False))  # fmt: skip
        return 0
    for o in orgs:
        print(f"{o.slug}\t{o.kind}\t{o.name}\t{', '.join(o.authorities) or '-'}")
    if not orgs:
        print("nog geen organisaties (arrangeur organisations add SLUG --name ... --kind ...)")
    return 0
