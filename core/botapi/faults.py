"""The sandbox's runtime knobs and the trouble it can make on purpose: Telegram-style flood
control (429 with retry_after), blocked and missing chats, server errors and added latency.

Everything here is configurable while the server runs, through `Config.update`.
"""

import math
import random
import time
from collections import deque
from dataclasses import asdict, dataclass, field, fields

from core.botapi.params import ApiError

_SERVER_ERRORS = {500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable"}


@dataclass
class Config:
    """What the sandbox does to the bot. All fields may be changed at runtime."""

    # Flood control, off when None: sends across all chats per sliding second, sends to one
    # private chat per sliding second, sends to one group or channel per sliding minute.
    flood_global_per_second: int | None = None
    flood_private_per_second: int | None = None
    flood_group_per_minute: int | None = None
    # Chats that answer 403 (blocked the bot) or 400 "chat not found".
    blocked_chats: set[int] = field(default_factory=set)
    missing_chats: set[int] = field(default_factory=set)
    # When true, sending to a chat that never wrote to the bot answers "chat not found";
    # when false such a chat is created on first send (what benchmarks want).
    unknown_chat_not_found: bool = False
    # Server faults: fail the next N bot calls, or this fraction of calls, with fail_status;
    # only the methods in fail_methods when that is not empty.
    fail_next: int = 0
    fail_rate: float = 0.0
    fail_status: int = 502
    fail_methods: set[str] = field(default_factory=set)
    fault_seed: int | None = None
    latency_ms: float = 0.0
    # Seconds added to the sandbox's wall clock (pretend time has passed).
    clock_offset: float = 0.0
    # False keeps only counters and content hashes, for million-message benchmarks.
    record_messages: bool = True
    bot_name: str = "Aman Sandbox"
    bot_username: str = "aman_sandbox_bot"

    def update(self, changes: dict) -> None:
        """Apply a partial change; "block"/"unblock" add or remove single chats."""
        known = {f.name: f for f in fields(self)}
        for key, value in changes.items():
            if key in ("block", "unblock"):
                ids = {int(v) for v in _as_list(value)}
                if key == "block":
                    self.blocked_chats |= ids
                else:
                    self.blocked_chats -= ids
                continue
            if key not in known:
                raise ValueError(f"unknown config key: {key}")
            setattr(self, key, _coerce(key, getattr(self, key), value))

    def as_dict(self) -> dict:
        data = asdict(self)
        for key, value in data.items():
            if isinstance(value, set):
                data[key] = sorted(value)
        return data


def _as_list(value: object) -> list:
    return list(value) if isinstance(value, list | tuple | set) else [value]


def _coerce(key: str, current: object, value: object) -> object:
    """Check and convert one config value, so a bad POST fails instead of a later send."""
    if isinstance(current, set):
        items = _as_list(value)
        return {str(v).lower() for v in items} if key == "fail_methods" else {int(v) for v in items}
    if key.startswith("flood_"):
        if value is None or value == 0:
            return None
        if int(value) < 1:
            raise ValueError(f"{key} must be a positive integer or null")
        return int(value)
    if key == "fail_status" and int(value) not in _SERVER_ERRORS:
        raise ValueError(f"fail_status must be one of {sorted(_SERVER_ERRORS)}")
    if key == "fail_rate" and not 0.0 <= float(value) <= 1.0:
        raise ValueError("fail_rate must be between 0 and 1")
    if key == "fault_seed":
        return None if value is None else int(value)
    if isinstance(current, bool):
        return bool(value)
    if isinstance(current, int | float) and not isinstance(current, bool):
        return type(current)(value)
    return str(value)


class SlidingWindow:
    """Timestamps of recent sends; says how long to wait before one more fits."""

    __slots__ = ("limit", "span", "stamps")

    def __init__(self, limit: int, span: float) -> None:
        self.limit = limit
        self.span = span
        self.stamps: deque[float] = deque()

    def wait_needed(self, now: float) -> float:
        stamps = self.stamps
        while stamps and stamps[0] <= now - self.span:
            stamps.popleft()
        if len(stamps) < self.limit:
            return 0.0
        return stamps[0] + self.span - now

    def add(self, now: float) -> None:
        self.stamps.append(now)


class FloodControl:
    """Telegram's send limits: a global one and one per chat, as sliding windows."""

    _SWEEP_EVERY = 10_000

    def __init__(self, config: Config) -> None:
        self.config = config
        self.global_window: SlidingWindow | None = None
        self.chat_windows: dict[int, SlidingWindow] = {}
        self.sends_since_sweep = 0

    def admit(self, chat_id: int, is_private: bool) -> None:
        """Record one send, or raise the 429 Telegram would answer."""
        config, now = self.config, time.monotonic()
        windows: list[SlidingWindow] = []
        if config.flood_global_per_second:
            if self.global_window is None or self.global_window.limit != (
                config.flood_global_per_second
            ):
                self.global_window = SlidingWindow(config.flood_global_per_second, 1.0)
            windows.append(self.global_window)
        limit, span = (
            (config.flood_private_per_second, 1.0)
            if is_private
            else (config.flood_group_per_minute, 60.0)
        )
        if limit:
            window = self.chat_windows.get(chat_id)
            if window is None or window.limit != limit or window.span != span:
                window = self.chat_windows[chat_id] = SlidingWindow(limit, span)
            windows.append(window)
        wait = max((w.wait_needed(now) for w in windows), default=0.0)
        if wait > 0:
            retry_after = max(1, math.ceil(wait))
            raise ApiError(
                429,
                f"Too Many Requests: retry after {retry_after}",
                {"retry_after": retry_after},
            )
        for window in windows:
            window.add(now)
        self.sends_since_sweep += 1
        if self.sends_since_sweep >= self._SWEEP_EVERY:
            self.sweep(now)

    def sweep(self, now: float) -> None:
        """Forget windows of chats that have been quiet, so memory follows active chats."""
        self.sends_since_sweep = 0
        quiet = [
            k for k, w in self.chat_windows.items() if w.wait_needed(now) == 0 and not w.stamps
        ]
        for key in quiet:
            del self.chat_windows[key]

    def reset(self) -> None:
        self.global_window = None
        self.chat_windows.clear()


class ServerFaults:
    """Injected 5xx answers and latency for bot calls."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.random = random.Random(config.fault_seed)
        self.seed = config.fault_seed

    def check(self, method: str) -> None:
        """Raise the configured server error for this call, if it is to fail."""
        config = self.config
        if config.fail_methods and method.lower() not in config.fail_methods:
            return
        if config.fault_seed != self.seed:
            self.seed = config.fault_seed
            self.random = random.Random(config.fault_seed)
        if config.fail_next > 0:
            config.fail_next -= 1
        elif not (config.fail_rate and self.random.random() < config.fail_rate):
            return
        raise ApiError(config.fail_status, _SERVER_ERRORS[config.fail_status])
