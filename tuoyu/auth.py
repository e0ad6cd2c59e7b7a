"""Accounts, sign-in, roles and the audit log (issue 9).

Roles: 查看 reads everything; 县区填报 imports (and undoes their own batches) for their
assigned region codes and the units below; 责任单位 updates the tasks whose 责任单位 name
their department; 管理员 does everything. The checks live here and are called by the
import and task code themselves, so hiding a button is never the only guard. The command
line acts as a local administrator and says so in the audit log."""

import hashlib
import os
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from . import db
from .backoff import Backoff
from .errors import AuthError, SessionEnded
from .tables import LIST_SEP, split_list

ROLES = ("查看", "县区填报", "责任单位", "管理员")
SESSION_TIMEOUT_MINUTES = 30       # idle time after which the dashboard signs a user out
MIN_PASSWORD_LENGTH = 8
SAMPLE_LABEL = "示例数据"
# Failed sign-ins: 5 free per typed name and 10 per client, then a wait of 2, 4, 8 …
# seconds (at most 30 for a name, 60 for a client), forgotten after 15 quiet minutes.
BY_NAME = Backoff(free=5, first_seconds=2, max_seconds=30, forget=timedelta(minutes=15))
BY_CLIENT = Backoff(free=10, first_seconds=2, max_seconds=60, forget=timedelta(minutes=15))
WRONG = "用户名或密码错误"

_hasher = PasswordHasher()


@dataclass(frozen=True)
class User:
    username: str
    display_name: str
    role: str
    region_codes: tuple[str, ...] = field(default=())
    department: str | None = None
    # A digest of the password hash read at sign-in: a new password (a new salt) differs.
    credential: str | None = field(default=None, compare=False, repr=False)

    @property
    def is_admin(self) -> bool:
        return self.role == "管理员"

    def label(self) -> str:
        return f"{self.display_name}（{self.username}，{self.role}）"


LOCAL_ADMIN = User("cli", "命令行（本机管理员）", "管理员")


def now() -> datetime:
    return datetime.now().replace(microsecond=0)


# ------------------------------------------------------------------ configuration

def sign_in_required_for(dataset_label: str | None) -> bool:
    """TUOYU_REQUIRE_SIGNIN=1/0 decides; unset, the shipped sample stays open to read and any
    other data requires sign-in. Takes the label so the dashboard can pass its cached one."""
    setting = os.environ.get("TUOYU_REQUIRE_SIGNIN")
    if setting is not None:
        return setting.strip().lower() in ("1", "true", "yes", "是")
    return dataset_label != SAMPLE_LABEL


def accounts_exist(con) -> bool:
    """Once any account exists, every write needs a signed-in user with the right role; a
    database without accounts (the shipped demonstration) takes writes with a typed name."""
    return int(db.run(con, "user_count")["n"].iloc[0]) > 0


# ------------------------------------------------------------------ audit log

def audit(con, user: User | str | None, action: str, detail: str = "", ok: bool = True, at=None) -> None:
    name = user.username if isinstance(user, User) else user
    db.run(con, "audit_insert", event_at=at or now(), username=name, action=action, detail=detail, ok=ok)


def audit_events(con, limit: int = 500):
    return db.run(con, "audit_events", limit=limit)


# ------------------------------------------------------------------ accounts

def _credential(password_hash: str) -> str:
    return hashlib.sha256(password_hash.encode("utf-8")).hexdigest()


def _user_from_row(row: dict) -> User:
    regions = tuple(c for c in (row.get("region_codes") or "").split(LIST_SEP) if c)
    return User(row["username"], row["display_name"], row["role"], regions, row.get("department") or None,
                _credential(row["password_hash"]))


def _check_password(password: str) -> None:
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise AuthError(f"密码至少需要{MIN_PASSWORD_LENGTH}位")


def _require_admin(actor: User) -> None:
    if not actor.is_admin:
        raise AuthError("只有管理员可以管理账号")


def add_user(con, username: str, display_name: str, password: str, role: str,
             region_codes=(), department: str | None = None, actor: User = LOCAL_ADMIN) -> User:
    actor = current(con, actor, "user_add")
    _require_admin(actor)
    username = (username or "").strip()
    if not username:
        raise AuthError("用户名不能为空")
    if role not in ROLES:
        raise AuthError(f"角色应为 {' / '.join(ROLES)}")
    if role == "县区填报" and not region_codes:
        raise AuthError("县区填报账号需要指定负责的区划代码")
    if role == "责任单位" and not department:
        raise AuthError("责任单位账号需要指定所在单位")
    unknown = set(region_codes) - set(db.run(con, "units_within", region_codes=list(region_codes),
                                             allowed_codes=list(region_codes))["region_code"])
    if unknown:
        raise AuthError(f"未知区划代码 {'、'.join(sorted(unknown))}")
    if not db.run(con, "user_by_name", username=username).empty:
        raise AuthError(f"用户名 {username} 已存在")
    _check_password(password)
    db.run(con, "user_insert", username=username, display_name=display_name or username,
           password_hash=_hasher.hash(password), role=role,
           region_codes=LIST_SEP.join(region_codes) or None, department=department)
    audit(con, actor, "user_add", f"{username}（{role}）")
    return get_user(con, username)


def get_user(con, username: str) -> User:
    rows = db.run(con, "user_by_name", username=username)
    if rows.empty:
        raise AuthError(f"没有用户 {username}")
    return _user_from_row(rows.iloc[0].to_dict())


def set_password(con, username: str, password: str, actor: User = LOCAL_ADMIN) -> None:
    actor = current(con, actor, "user_passwd")
    if actor.username != username:
        _require_admin(actor)
    get_user(con, username)
    _check_password(password)
    db.run(con, "user_set_password", username=username, password_hash=_hasher.hash(password))
    audit(con, actor, "user_passwd", username)


def set_disabled(con, username: str, disabled: bool, actor: User = LOCAL_ADMIN) -> None:
    actor = current(con, actor, "user_disable" if disabled else "user_enable")
    _require_admin(actor)
    get_user(con, username)
    db.run(con, "user_set_disabled", username=username, is_disabled=disabled)
    audit(con, actor, "user_disable" if disabled else "user_enable", username)


def list_users(con):
    return db.run(con, "users_list")


# ------------------------------------------------------------------ sign-in

@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    """A hash no password matches, verified for an unknown name so that it costs what a
    known one does."""
    return _hasher.hash(secrets.token_urlsafe(24))


def _verified(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password or "")
    except (VerificationError, InvalidHashError):
        return False


def sign_in(con, username: str, password: str, at: datetime | None = None, client: str | None = None) -> User:
    """The user, or AuthError with a Chinese reason. An unknown name costs the same work
    (one argon2 verification) and gets the same answers as a known one; repeated failures
    make that name, and that client, wait a few seconds (BY_NAME, BY_CLIENT); that an
    account is disabled is said only to whoever gives its password. A name that does not
    exist is never written to the audit log."""
    at = at or now()
    dummy = _dummy_hash()
    name = (username or "").strip()
    name_key, client_key = "name:" + name.casefold(), "client:" + (client or "本机")
    rows = db.run(con, "user_by_name", username=name)
    row = None if rows.empty else rows.iloc[0].to_dict()
    known = row["username"] if row else None
    wait = max(BY_NAME.wait(name_key, at), BY_CLIENT.wait(client_key, at))
    if wait:
        audit(con, known, "sign_in_failed", "尝试过于频繁，须等待" + ("" if known else "（用户名不存在）"),
              ok=False, at=at)
        raise AuthError(f"尝试次数过多，请{wait}秒后再试")
    if not _verified(row["password_hash"] if row else dummy, password):
        BY_NAME.failed(name_key, at)
        BY_CLIENT.failed(client_key, at)
        if row:
            db.run(con, "user_sign_in_result", username=known, failed_attempts=int(row["failed_attempts"] or 0) + 1)
        audit(con, known, "sign_in_failed", "密码错误" if known else "用户名不存在", ok=False, at=at)
        raise AuthError(WRONG)
    BY_NAME.succeeded(name_key)
    if row["is_disabled"]:
        audit(con, known, "sign_in_failed", "账号已停用", ok=False, at=at)
        raise AuthError("该账号已停用，请联系管理员")
    db.run(con, "user_sign_in_result", username=known, failed_attempts=0)
    if _hasher.check_needs_rehash(row["password_hash"]):
        db.run(con, "user_set_password", username=known, password_hash=_hasher.hash(password))
        row = db.run(con, "user_by_name", username=known).iloc[0].to_dict()
    audit(con, known, "sign_in", "", at=at)
    return _user_from_row(row)


def current(con, user: User, action: str) -> User:
    """The account of a signed-in session as it is stored now, read again before every
    write (`action` names the write for the audit log): SessionEnded when it has been
    disabled, removed or given a new password since sign-in; otherwise the user with the
    role and regions as they are now. The command line acts as the local administrator."""
    if user == LOCAL_ADMIN:
        return user
    rows = db.run(con, "user_by_name", username=user.username)
    row = None if rows.empty else rows.iloc[0].to_dict()
    if row is None:
        reason = "您的账号已被删除，已退出登录。"
    elif row["is_disabled"]:
        reason = "您的账号已被停用，已退出登录；如有疑问请联系管理员。"
    elif _credential(row["password_hash"]) != user.credential:
        reason = "您的密码已被更改，已退出登录，请用新密码重新登录。"
    else:
        return _user_from_row(row)
    audit(con, user, action, "会话已结束：" + reason.split("，")[0], ok=False)
    raise SessionEnded(reason)


def session_expired(last_seen: datetime | None, at: datetime | None = None) -> bool:
    return last_seen is not None and (at or now()) - last_seen > timedelta(minutes=SESSION_TIMEOUT_MINUTES)


# ------------------------------------------------------------------ permissions

def regions_outside(con, user: User, region_codes) -> set[str]:
    """The codes a user may not write for (everything, for roles that do not import)."""
    codes = sorted({c for c in region_codes if c})
    if user.is_admin:
        return set()
    if user.role != "县区填报" or not user.region_codes:
        return set(codes)
    inside = set(db.run(con, "units_within", region_codes=codes,
                        allowed_codes=list(user.region_codes))["region_code"])
    return set(codes) - inside


def may_import(user: User) -> bool:
    return user.role in ("县区填报", "管理员")


def may_undo(user: User, imported_by: str | None) -> bool:
    return user.is_admin or (user.role == "县区填报" and imported_by == user.username)


def may_update_task(user: User, responsible_units) -> bool:
    if user.is_admin:
        return True
    return user.role == "责任单位" and user.department in split_list(responsible_units)
