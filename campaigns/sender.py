"""The sender: drains the outbox through the channels at an even global rate, honouring
Telegram's per-chat limits and flood control, with every row's fate written to the delivery log.

Crash safety comes from the order of writes: a small batch of rows is marked `sending` and
committed before any of them is sent, and each row is marked with its outcome afterwards. At
start-up rows still `sending` become `unknown` (never resent). A graceful stop puts claimed but
unsent rows back in the queue; after `kill -9` they are among the `unknown` ones, at most two
batches (about a tenth of a second of sending).

When the database fails nothing is lost or sent twice: outcomes a flush could not write stay in
memory (their rows stay `sending`) and a later flush writes them; nothing is claimed meanwhile.
When a step fails, `run` lets the sends in flight finish, sets claimed but unsent rows aside and
raises; the next `run` records and releases them before sending anything new.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from campaigns import lifecycle, outbox
from campaigns.channels import Channel, Outgoing
from campaigns.localtime import quiet_until
from campaigns.models import Campaign, CampaignState, DeliveryState, Variant
from campaigns.outbox import Claimed, Result
from campaigns.outcomes import Kind, Outcome
from campaigns.pacing import ChatGaps, Pacer
from campaigns.variants import Payload, payload_of
from core import chat_records
from core.logs import get_logger

log = get_logger(__name__)

BATCH_SECONDS = 0.05  # one claimed batch holds about this much sending
FLUSH_SECONDS = 0.05  # outcomes are committed in groups at least this often
BACKOFF_CAP = 300.0
FLUSH_BACKOFF_CAP = 5.0  # a failing flush is retried after a growing pause, at most this long
FINAL_FLUSH_TRIES = 8  # a stopping run gives up recording after this many failures (about 15 s)
ERASABLE_SECONDS = 1.0  # alerts' message ids are recorded for erasing in groups this often
IDLE_HORIZON = 5.0  # run(until_idle=True) waits for retries due within this many seconds
# Slots are spaced at the full rate: the pacer's window rule (answered or in flight within the
# last second) is what keeps a sliding-window limit from answering 429, whatever the jitter.
HEADROOM = 1.0


def utcnow() -> datetime:
    return datetime.now(UTC)


def later(row_id: int, reason: str | None, at: datetime) -> Result:
    """Back to the queue until `at`, and this try does not count."""
    return Result(row_id, DeliveryState.QUEUED, reason, next_attempt_at=at, refund=1)


class OutcomesNotRecorded(RuntimeError):
    """The database kept refusing the outcomes of a stopping run; they are still in memory."""


@dataclass
class SenderStats:
    sent: int = 0
    failed: int = 0
    blocked: int = 0
    unknown: int = 0
    retried: int = 0
    flood_429: int = 0
    first_send: float | None = None  # time.monotonic() of the first successful send
    last_send: float | None = None


class Sender:
    """One sender per process. `channels` maps a delivery channel name to its channel;
    `clock` gives the wall-clock time used for due times, expiry and quiet hours (tests
    inject their own); pacing itself always runs on the real monotonic clock."""

    def __init__(
        self,
        channels: Mapping[str, Channel],
        *,
        rate: float,
        clock: Callable[[], datetime] = utcnow,
        concurrency: int = 128,
        max_attempts: int = 5,
        check_every: float = 0.2,
        idle_poll: float = 0.2,
    ) -> None:
        self.channels = dict(channels)
        self.clock = clock
        self.pacer = Pacer(rate * HEADROOM, limit=rate)
        self.gaps = ChatGaps()
        self.batch = max(1, min(200, math.ceil(rate * BATCH_SECONDS)))
        self.max_attempts = max_attempts
        self.check_every = check_every
        self.idle_poll = idle_poll
        self.stats = SenderStats()
        self._slots = asyncio.Semaphore(concurrency)
        self._results: list[Result] = []
        self._stops: list[tuple[Channel, int]] = []
        self._erasable = chat_records.Batch(every=ERASABLE_SECONDS)
        self._flush_lock = asyncio.Lock()  # one flush at a time, and no claim during a flush
        self._flush_failures = 0  # in a row; while > 0 nothing new is claimed
        self._flush_retry_at = 0.0
        self._parked: list[tuple[int, list[Claimed]]] = []  # claimed, not sent, not released
        self._payloads: dict[int, Payload] = {}
        self._in_flight: set[asyncio.Task] = set()
        self._prefetch: dict[int, asyncio.Task[list[Claimed]]] = {}
        self._campaigns: list[Campaign] = []
        self._checked = 0.0
        self._stopping = False

    async def recover(self) -> int:
        """Call once at start-up, before sending: rows left `sending` become `unknown`."""
        changed = await outbox.recover_in_flight()
        if changed:
            log.warning("%d deliveries were in flight at the last stop: recorded unknown", changed)
        return changed

    def stop(self) -> None:
        """Ask `run` to finish its in-flight sends, record them and return."""
        self._stopping = True

    async def run(self, *, until_idle: bool = False) -> None:
        """Send until `stop()` (or, with until_idle, until nothing is due within IDLE_HORIZON).
        Cancelling the task instead is like a crash: outcomes not yet committed are lost and
        their rows stay `sending`. An exception (the database went away) is raised after the
        sends in flight have finished, with every outcome kept for the next `run`."""
        flusher = asyncio.create_task(self._flush_forever())
        try:
            await self._release_parked()
            while not self._stopping:
                if not await self.step():
                    if until_idle and not self._in_flight and not await self._due_soon():
                        break
                    await asyncio.sleep(self.idle_poll if not until_idle else 0.02)
            await self._drain()
        except Exception:
            await self._land()
            raise
        finally:
            flusher.cancel()
            for task in [*self._in_flight, *self._prefetch.values()]:
                task.cancel()

    async def _land(self) -> None:
        """After a failed step: finish the sends in flight and set claimed rows aside."""
        while self._prefetch:
            campaign_id, claiming = self._prefetch.popitem()
            with contextlib.suppress(Exception):  # a claim that failed claimed nothing
                self._parked.append((campaign_id, await claiming))
        if self._in_flight:
            await asyncio.gather(*self._in_flight, return_exceptions=True)

    async def _release_parked(self) -> None:
        while self._parked:
            campaign_id, rows = self._parked.pop()
            await self._release(rows, campaign_id)

    async def settle(self) -> bool:
        """After `run`: release rows set aside, record outcomes; True when nothing is left."""
        with contextlib.suppress(Exception):
            await self._release_parked()
        return await self.flush() and not self._parked

    def trouble(self) -> str | None:
        """Why the sender is not healthy right now (outcomes it cannot record), or None."""
        return f"{len(self._results)} outcomes not recorded" if self._flush_failures else None

    async def _due_soon(self) -> bool:
        horizon = self.clock() + timedelta(seconds=IDLE_HORIZON)
        for campaign in await self._active(force=True):
            due = await outbox.next_due(campaign.id)
            if due is not None and due <= horizon:
                return True
        return False

    async def _drain(self) -> None:
        while self._prefetch:
            campaign_id, claiming = self._prefetch.popitem()
            await self._release(await claiming, campaign_id)
        if self._in_flight:
            await asyncio.gather(*self._in_flight, return_exceptions=True)
        tries = 1
        while not await self.flush():
            if tries >= FINAL_FLUSH_TRIES:
                raise OutcomesNotRecorded(f"{len(self._results)} outcomes not recorded")
            tries += 1
            await asyncio.sleep(max(0.0, self._flush_retry_at - time.monotonic()))
        for campaign in await self._active(force=True):
            if not await outbox.has_pending(campaign.id):
                await lifecycle.finish_run(campaign.id)

    async def step(self) -> bool:
        """Claim and send one batch per active campaign; False when there was nothing due.

        The next batch is claimed while this one is sent, so database latency never leaves
        a gap in the pacing."""
        worked = False
        active = await self._active(force=False)
        for campaign_id in [c for c in self._prefetch if c not in {a.id for a in active}]:
            await self._release(await self._prefetch.pop(campaign_id), campaign_id)
        for campaign in active:
            pending = self._prefetch.pop(campaign.id, None)
            rows = await pending if pending else await self._claim(campaign.id)
            if not rows:
                if time.monotonic() >= self._flush_retry_at:
                    await self.flush()
                if not self._in_flight and not await outbox.has_pending(campaign.id):
                    await lifecycle.finish_run(campaign.id)
                    self._checked = 0.0
                continue
            worked = True
            self._prefetch[campaign.id] = asyncio.create_task(self._claim(campaign.id))
            await self._dispatch(campaign, rows)
        return worked

    async def _claim(self, campaign_id: int) -> list[Claimed]:
        """Claim a batch, never while a flush is writing nor while a failed one's outcomes wait:
        a write whose success is in doubt must not meet a row claimed again meanwhile."""
        async with self._flush_lock:
            if self._flush_failures:
                return []
            return await outbox.claim(campaign_id, self.batch, self.clock())

    async def _active(self, *, force: bool) -> list[Campaign]:
        """Campaigns in `sending`, re-read at most every check_every seconds; expired ones are
        ended here, so an alert is never sent after its expiry even if it was queued."""
        now_mono = time.monotonic()
        if force or now_mono - self._checked >= self.check_every:
            now = self.clock()
            active = []
            for campaign in await Campaign.filter(state=CampaignState.SENDING):
                if campaign.expires_at is not None and campaign.expires_at <= now:
                    await lifecycle.expire(campaign)
                else:
                    active.append(campaign)
            self._campaigns, self._checked = active, now_mono
        return self._campaigns

    async def _still_sending(self, campaign_id: int) -> bool:
        return any(c.id == campaign_id for c in await self._active(force=False))

    async def _dispatch(self, campaign: Campaign, rows: list[Claimed]) -> None:
        """Hand each row to a send (or back to the queue); when a step fails half-way, the rows
        not yet handed over are set aside for the next run instead of staying `sending`."""
        now, index = self.clock(), 0
        try:
            addresses: dict[str, dict] = {}
            for name in {r.channel for r in rows}:
                recipients = [r.recipient for r in rows if r.channel == name]
                addresses[name] = await self.channels[name].resolve(recipients)
            while index < len(rows) and await self._still_sending(campaign.id):
                await self._dispatch_one(campaign, rows[index], addresses, now)
                index += 1
        except Exception:
            self._parked.append((campaign.id, rows[index:]))
            raise
        if index < len(rows):  # paused, cancelled or expired meanwhile
            await self._release(rows[index:], campaign.id)

    async def _dispatch_one(
        self, campaign: Campaign, row: Claimed, addresses: dict[str, dict], now: datetime
    ) -> None:
        channel = self.channels[row.channel]
        address = addresses[row.channel].get(row.recipient)
        if address is None:
            self._results.append(Result(row.id, DeliveryState.SKIPPED, "recipient gone"))
            return
        if campaign.quiet_hours and row.channel == "dm":
            morning = quiet_until(row.country, now)
            if morning is not None:
                self._results.append(later(row.id, "quiet hours", morning))
                return
        key = (row.channel, row.recipient)
        wait = self.gaps.wait_for(key)
        if wait > 0:
            self._results.append(later(row.id, "chat limit", now + timedelta(seconds=wait)))
            return
        payload = await self._payload(row.variant_id)
        await self.pacer.slot()
        await self._slots.acquire()
        self.gaps.sent(key, channel.gap)
        task = asyncio.create_task(self._send(channel, Outgoing(row, address), payload))
        self._in_flight.add(task)
        task.add_done_callback(self._in_flight.discard)

    async def _release(self, rows: list[Claimed], campaign_id: int) -> None:
        """Claimed rows not sent: back to the queue (paused, stopping), or skipped when the
        campaign is over (cancelled, expired), since they were claimed after it was swept.
        If the database cannot say, they are set aside for the next run."""
        try:
            campaign = await Campaign.get_or_none(id=campaign_id)
        except Exception:
            self._parked.append((campaign_id, rows))
            raise
        over = campaign is None or campaign.state in (CampaignState.CANCELLED, CampaignState.SENT)
        for row in rows:
            if over:
                self._results.append(Result(row.id, DeliveryState.SKIPPED, "campaign ended"))
            else:
                self._results.append(Result(row.id, DeliveryState.QUEUED, refund=1))

    async def _payload(self, variant_id: int | None) -> Payload:
        assert variant_id is not None
        payload = self._payloads.get(variant_id)
        if payload is None:
            payload = payload_of(await Variant.get(id=variant_id))
            self._payloads[variant_id] = payload
        return payload

    async def _send(self, channel: Channel, delivery: Outgoing, payload: Payload) -> None:
        try:
            outcome = await channel.send(delivery, payload)
        except Exception as error:  # a channel's bug: the message may have left, never resend
            log.error("a %s send raised %s: recorded unknown", channel.name, type(error).__name__)
            outcome = Outcome(Kind.UNKNOWN, reason=f"the send raised {type(error).__name__}")
        finally:
            self._slots.release()
            self.pacer.done()
        self._apply(channel, delivery.row, outcome)
        if outcome.kind is Kind.SENT and outcome.message_id and delivery.row.channel == "dm":
            self._erasable.add(delivery.address, outcome.message_id)  # for "Erase this chat"

    def _apply(self, channel: Channel, row: Claimed, outcome: Outcome) -> None:
        """Turn an outcome into the row's next state (the sender's whole retry policy)."""
        now, stats = self.clock(), self.stats
        if outcome.kind is Kind.SENT:
            stats.sent += 1
            stats.last_send = time.monotonic()
            stats.first_send = stats.first_send or stats.last_send
            result = Result(row.id, DeliveryState.SENT, sent_at=now, message_id=outcome.message_id)
        elif outcome.kind is Kind.RETRY and outcome.pause_all:
            stats.flood_429 += 1
            after = outcome.retry_after or 1.0
            self.pacer.pause_all(after)
            log.warning("flood control: all sending paused for %.0f s", after)
            result = later(row.id, outcome.reason, now + timedelta(seconds=after))
        elif outcome.kind is Kind.RETRY and row.attempts < self.max_attempts:
            stats.retried += 1
            delay = min(BACKOFF_CAP, outcome.retry_after or 2.0**row.attempts)
            result = Result(
                row.id,
                DeliveryState.QUEUED,
                outcome.reason,
                next_attempt_at=now + timedelta(seconds=delay),
            )
        elif outcome.kind is Kind.BLOCKED:
            stats.blocked += 1
            self._stops.append((channel, row.recipient))
            result = Result(row.id, DeliveryState.BLOCKED, outcome.reason)
        elif outcome.kind is Kind.UNKNOWN:
            stats.unknown += 1
            result = Result(row.id, DeliveryState.UNKNOWN, outcome.reason)
        else:  # FAILED, or RETRY with no attempts left
            stats.failed += 1
            result = Result(row.id, DeliveryState.FAILED, outcome.reason)
        self._results.append(result)

    async def flush(self, *, periodic: bool = False) -> bool:
        """Commit the outcomes gathered so far, record the alerts' message ids for erasing (a
        periodic flush only once a second), then stop the recipients that are gone; False when
        the database refused, with every outcome kept for the next flush.

        One flush at a time: the final flush of a run waits for a periodic one still writing,
        so `run` never returns (and never cancels the flusher) before every outcome is stored.
        """
        async with self._flush_lock:
            results, self._results = self._results, []
            stops, self._stops = self._stops, []
            messages = self._erasable.take(everything=not periodic)
            try:
                await outbox.record(results)
                results = []
                await chat_records.remember_many(messages)
                messages = []
                while stops:
                    await stops[0][0].stop(stops[0][1])
                    stops.pop(0)
            except BaseException as error:  # keep everything not written, even when cancelled
                self._results[:0] = results
                self._erasable.put_back(messages)
                self._stops[:0] = stops
                if not isinstance(error, Exception):
                    raise
                self._flush_failed(error)
                return False
            if self._flush_failures:
                log.info("outcomes recorded again after %d failed tries", self._flush_failures)
            self._flush_failures, self._flush_retry_at = 0, 0.0
            return True

    def _flush_failed(self, error: Exception) -> None:
        self._flush_failures += 1
        pause = min(FLUSH_BACKOFF_CAP, FLUSH_SECONDS * 2.0**self._flush_failures)
        self._flush_retry_at = time.monotonic() + pause
        log.warning(
            "could not record %d outcomes (%s, %d failures in a row): kept in memory, their rows "
            "stay 'sending' and nothing new is claimed; retrying in %.1f s",
            len(self._results) + len(self._stops), type(error).__name__, self._flush_failures,
            pause,
        )  # fmt: skip

    async def _flush_forever(self) -> None:
        while True:
            await asyncio.sleep(FLUSH_SECONDS)
            waiting = self._results or self._stops or self._erasable
            if waiting and time.monotonic() >= self._flush_retry_at:
                await self.flush(periodic=True)
