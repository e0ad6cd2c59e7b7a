"""python -m tuoyu: the subcommands of auth."""

import argparse
import sys

from ..loading import database
from ..auth import LOCAL_ADMIN, ROLES, add_user, audit_events, list_users, set_disabled, set_password
from ..errors import AuthError


def _read_password(args) -> str:
    import getpass

    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("新密码：")
    if getpass.getpass("再输入一次：") != first:
        raise AuthError("两次输入的密码不一致")
    return first


def _cmd_user(args) -> int:

    con = database.open_database(args.db)
    try:
        if args.action == "add":
            user = add_user(con, args.username, args.name or args.username, _read_password(args), args.role,
                            tuple(filter(None, (args.regions or "").split(","))), args.department)
            print(f"已创建 {user.label()}（操作人：{LOCAL_ADMIN.display_name}）")
        elif args.action == "passwd":
            set_password(con, args.username, _read_password(args))
            print(f"已重设 {args.username} 的密码")
        elif args.action in ("disable", "enable"):
            set_disabled(con, args.username, args.action == "disable")
            print(f"已{'停用' if args.action == 'disable' else '启用'} {args.username}")
        else:
            print(list_users(con).to_string(index=False))
    except AuthError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 2
    finally:
        con.close()
    return 0


def _cmd_audit(args) -> int:
    con = database.open_database(args.db)
    try:
        print(audit_events(con, args.limit).to_string(index=False))
    finally:
        con.close()
    return 0


def add_auth_commands(sub) -> None:

    p = sub.add_parser("user", help="账号管理（命令行以本机管理员身份操作）")
    p.add_argument("--db", default=argparse.SUPPRESS)
    p.add_argument("action", choices=("add", "passwd", "disable", "enable", "list"))
    p.add_argument("username", nargs="?")
    p.add_argument("--name", help="显示名")
    p.add_argument("--role", choices=ROLES, default="查看")
    p.add_argument("--regions", help="县区填报：负责的区划代码，逗号分隔，如 640522")
    p.add_argument("--department", help="责任单位：所在单位，如 市教育局")
    p.add_argument("--password-stdin", action="store_true", help="从标准输入读取密码")
    p.set_defaults(func=_cmd_user)

    p = sub.add_parser("audit", help="查看审计日志")
    p.add_argument("--db", default=argparse.SUPPRESS)
    p.add_argument("--limit", type=int, default=100)
    p.set_defaults(func=_cmd_audit)
