"""A member's key service: hands custodial documents' content keys to entitled readers, over HTTP.

`node start` runs it beside the member's geth and Kubo, listening on the member's announced host
at the card's `key_port`. It holds the member's `KeyVault` (``keys/vault.sqlite``) and answers:

- ``POST /v1/keys/request``: a reader's signed key request (`storage.custodian.KeyRequest`). In
  order: the body is at most 4 KiB (413 too-large); it parses strictly (400 invalid); it is meant
  for this custodian and chain (400 invalid); it is dated within `max_skew` seconds of now (400
  invalid); its signature recovers its `reader` (403 not-member); the remote address and then the
  reader are within their rate (429 rate-limited); the reader holds a role of the registry (403
  not-member); then the vault's one transaction decides and logs it: an erased key (410 erased), a
  key not held (404 not-held), a reader the chain does not entitle (403 refused), or the key,
  returned wrapped for the request's `reader_key` (200 ``{"wrapped": base64}``); a replay (409
  replayed) is refused there without a trace, being the copy of a request already logged.
- ``POST /v1/keys/deposit``: the same checks for a deposit signed by one of the member's own
  accounts (`depositors`, else 403 not-member); the content key arrives wrapped for this member's
  document key and is kept (409 conflict if another key is held, 410 erased).
- ``GET /v1/health``: the custodian, its access log's head, how many keys it holds.

A refusal is ``{"code": ..., "error": one line}`` plus the fields its typed error carries, which
the client (`KeyServiceClient`) raises again. What reaches the access log: every request of a
member's account whose signature is good and that is within its rate, granted or refused, once. A
request that is malformed, misdated, badly signed, over its rate, of an account that holds no role,
or a replay is refused and only counted in the process log: anyone can send those, and logging
them would let a flood grow the append-only log.

Entitlement (`entitled(reader, cid)`, a chain read that may block) runs in a worker thread before
the vault's transaction, so a slow node delays only its own request and never holds the vault's
write lock; the vault applies its answer inside the transaction, after its replay and erasure checks.

This process faces the network, so it holds only the two keys its work needs, derived from the
member's account key at start: the document key that opens deposits and the vault's key. The
member's account key, which votes in governance, stays out of it: the steward (steward.py), a
process of its own, signs the log's anchors and the erasures' attestations.

Run as ``python -m lienchain.networks.keyservice MEMBER_DIR PASSPHRASE_PIPE``: it reads the
passphrase once from the named pipe, and stops on SIGTERM.
"""

from __future__ import annotations

import asyncio
import base64
import logging
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiohttp import web
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from eth_account.signers.local import LocalAccount

from ..errors import (
    AccessRefused,
    InvalidDocumentKey,
    InvalidKeyRequest,
    KeyConflict,
    KeyErased,
    KeyNotHeld,
    LienchainError,
    ReplayedRequest,
    SealError,
)
from ..ledger.chain.rpc import RpcChain
from ..ledger.registry.deployment import Deployment
from ..ledger.registry.ledger import Ledger
from ..storage.custodian import MAX_REQUEST_BYTES, SignedKeyRequest
from ..storage.custody import unwrap_key, wrap_key
from ..storage.keys import document_key, load_public_key
from ..storage.vault import KeyVault
from .member import MemberHome

log = logging.getLogger("lienchain.keys")

Entitlement = Callable[[str, str], "str | None"]
"""Decides whether a reader (address) may read a document (CID) now: None, or the reason it may not."""

#: Buckets a rate limiter keeps before it forgets the full ones.
_MAX_BUCKETS = 10_000


@dataclass
class RateLimiter:
    """Token buckets by key (a reader's address, a remote address): `rate` per second, up to `burst`."""

    rate: float
    burst: int
    clock: Callable[[], float]
    _buckets: dict[str, tuple[float, float]] = field(default_factory=dict)  # key -> (tokens, when)

    def take(self, key: str) -> float:
        """Takes a token for `key`: returns 0.0, or the seconds until one is free (none taken)."""
        now = self.clock()
        tokens, then = self._buckets.get(key, (float(self.burst), now))
        tokens = min(float(self.burst), tokens + max(0.0, now - then) * self.rate)
        if tokens < 1.0:
            self._buckets[key] = (tokens, now)
            return (1.0 - tokens) / self.rate if self.rate > 0 else float("inf")
        self._buckets[key] = (tokens - 1.0, now)
        if len(self._buckets) > _MAX_BUCKETS:  # forget the buckets that have refilled
            full = [k for k, (t, w) in self._buckets.items() if t + (now - w) * self.rate >= self.burst]
            for k in full:
                del self._buckets[k]
        return 0.0


class _Refused(Exception):
    """A refusal on its way to the client: HTTP status, code and the error's fields."""

    def __init__(self, status: int, code: str, error: str, **fields: Any) -> None:
        super().__init__(error)
        self.status, self.code, self.error, self.fields = status, code, error, fields


def build_app(
    vault: KeyVault,
    *,
    custodian: str,
    account: LocalAccount | bytes | X25519PrivateKey,
    chain_id: int,
    depositors: Collection[str],
    entitled: Entitlement,
    members: Callable[[str], bool] | None = None,
    clock: Callable[[], float] = time.time,
    max_skew: int = 120,
    rate: float = 20.0,
    burst: int = 40,
) -> web.Application:
    """Builds the key service of one member (see the module docstring).

    Args:
        vault: The member's key vault; the service does not close it.
        custodian: The member's name, which requests must name.
        account: The member's document key, or its account (or account key) to derive it from: it
            opens deposits.
        chain_id: The network's chain id, which requests must name.
        depositors: The addresses of the member's own accounts, which may deposit keys.
        entitled: The chain's rule (see `Entitlement`); it may block, and runs in a worker thread.
        members: Tells whether a reader's account holds a role of the registry; a request of one
            that holds none is refused before the vault, and not logged (anyone can make keys, so
            logging them would let anyone grow the append-only log) [default: every reader is asked
            of `entitled`, and logged].
        clock: Seconds since the epoch, for dating requests, the log and the rate limits.
        max_skew: How far, in seconds, a request's time may be from the service's.
        rate: Requests per second each reader and each remote address may send, on average.
        burst: How many requests each may send at once.

    Returns:
        The aiohttp application (serve it with `KeyServer` or `serve`).
    """
    own_key = account if isinstance(account, X25519PrivateKey) else document_key(
        account if isinstance(account, bytes) else bytes(account.key))
    allowed = {str(a).lower() for a in depositors}
    limiter = RateLimiter(rate, burst, clock)
    app = web.Application(client_max_size=MAX_REQUEST_BYTES)

    async def read(request: web.Request, kind: str) -> SignedKeyRequest:
        """Checks a request up to the vault: size, form, addressee, date, signature, rates."""
        peer = request.remote or "unknown"
        if (request.content_length or 0) > MAX_REQUEST_BYTES:
            raise _too_large(request.content_length or 0)
        try:
            body = await request.read()
        except web.HTTPRequestEntityTooLarge:
            raise _too_large(MAX_REQUEST_BYTES + 1) from None
        wait = limiter.take("ip:" + peer)
        if wait:
            raise _busy(custodian, wait)
        try:
            signed = SignedKeyRequest.parse(body)
        except InvalidKeyRequest as exc:
            raise _Refused(400, "invalid", str(exc)) from None
        req = signed.request
        if req.kind != kind:
            raise _Refused(400, "invalid", f"a {req.kind} was sent where a {kind} is expected")
        if req.custodian != custodian:
            raise _Refused(400, "invalid", f"the request is for the key service of {req.custodian}, this is {custodian}'s")
        if req.chain_id != chain_id:
            raise _Refused(400, "invalid", f"the request is for chain id {req.chain_id}, this service serves chain id {chain_id}")
        now = clock()
        if abs(req.time - now) > max_skew:
            raise _Refused(400, "invalid", (f"the request is dated {req.time}, {req.time - now:+.0f} s from the key "
                                            f"service's time (at most {max_skew} s apart): check the reader's clock"))
        if signed.signer() != req.reader:
            reason = f"the request is not signed by its reader {req.reader}"
            raise _Refused(403, "not-member", reason, reason=reason, cid=req.cid, reader=req.reader)
        wait = limiter.take("reader:" + req.reader)
        if wait:
            raise _busy(custodian, wait)
        return signed

    async def handle_request(request: web.Request) -> web.Response:
        signed = await read(request, "request")
        req = signed.request
        if members is not None and not await asyncio.to_thread(members, req.reader):
            reason = "it holds no role of the registry: only the consortium's members' accounts ask for keys"
            raise _Refused(403, "not-member", reason, reason=reason, cid=req.cid, reader=req.reader)
        # Read the chain first, in a worker thread; the vault decides with it in one transaction.
        verdict = await asyncio.to_thread(entitled, req.reader, req.cid)
        try:
            content_key = await asyncio.to_thread(
                vault.release, req.cid, reader=req.reader, purpose=req.purpose, request_id=signed.request_id,
                check=lambda: verdict, at=int(clock()),
            )
        except ReplayedRequest as exc:
            raise _Refused(409, "replayed", str(exc), request_id=exc.request_id) from None
        except KeyErased as exc:
            raise _Refused(410, "erased", str(exc), cid=exc.cid, at=exc.at, reason=exc.reason) from None
        except KeyNotHeld as exc:
            raise _Refused(404, "not-held", str(exc), cid=exc.cid) from None
        except AccessRefused as exc:
            raise _Refused(403, "refused", str(exc), reason=exc.reason, cid=exc.cid, reader=exc.reader) from None
        wrapped = wrap_key(content_key, load_public_key(req.reader_key))
        log.info("granted the key of %s to %s (request %s)", req.cid, req.reader, signed.request_id[:16])
        return web.json_response({"wrapped": base64.b64encode(wrapped).decode()})

    async def handle_deposit(request: web.Request) -> web.Response:
        signed = await read(request, "deposit")
        req = signed.request
        if req.reader.lower() not in allowed:
            reason = f"{req.reader} is not one of {custodian}'s accounts, which alone deposit keys here"
            raise _Refused(403, "not-member", reason, reason=reason, cid=req.cid, reader=req.reader)
        try:
            content_key = unwrap_key(req.wrapped_key, own_key)
        except (SealError, InvalidDocumentKey) as exc:  # NotARecipient is a SealError
            raise _Refused(400, "invalid", f"the deposited key does not open with {custodian}'s document key: {exc}") from None
        try:
            await asyncio.to_thread(vault.deposit, req.cid, content_key, depositor=req.reader, at=int(clock()))
        except KeyConflict as exc:
            raise _Refused(409, "conflict", str(exc), cid=exc.cid) from None
        except KeyErased as exc:
            raise _Refused(410, "erased", str(exc), cid=exc.cid, at=exc.at, reason=exc.reason) from None
        log.info("keeps the key of %s deposited by %s", req.cid, req.reader)
        return web.json_response({"deposited": req.cid})

    async def handle_health(request: web.Request) -> web.Response:
        head = await asyncio.to_thread(vault.head)
        held = await asyncio.to_thread(vault.held)
        return web.json_response({"custodian": custodian, "log": {"count": head.count, "hash": head.hash.hex()},
                                  "keys": held})

    @web.middleware
    async def refusals(request: web.Request, handler: Any) -> web.StreamResponse:
        try:
            response: web.StreamResponse = await handler(request)
            return response
        except _Refused as exc:
            level = logging.DEBUG if exc.code == "rate-limited" else logging.INFO
            log.log(level, "refused %s from %s: %s (%s)", request.path, request.remote, exc.code, exc.error)
            headers = {"Retry-After": str(max(1, round(exc.fields["retry_after"])))} if exc.code == "rate-limited" else None
            return web.json_response({"code": exc.code, "error": exc.error, **exc.fields}, status=exc.status,
                                     headers=headers)
        except web.HTTPException:
            raise
        except LienchainError as exc:  # the vault's file is damaged, or the like: one line, no key
            log.error("failed %s: %s", request.path, exc)
            return web.json_response({"code": "internal", "error": str(exc)}, status=500)
        except Exception:  # a bug, or the node's connection failing oddly: logged here, one line there
            log.exception("failed %s", request.path)
            return web.json_response({"code": "internal", "error": f"the key service of {custodian} failed to "
                                      "answer: its operator finds why in its log"}, status=500)

    app.middlewares.append(refusals)
    app.router.add_post("/v1/keys/request", handle_request)
    app.router.add_post("/v1/keys/deposit", handle_deposit)
    app.router.add_get("/v1/health", handle_health)
    return app


def _too_large(size: int) -> _Refused:
    return _Refused(413, "too-large", f"a key request has at most {MAX_REQUEST_BYTES} bytes, this one {size}")


def _busy(custodian: str, wait: float) -> _Refused:
    return _Refused(429, "rate-limited", f"the key service of {custodian} is busy with this sender's earlier requests: "
                    f"retry in {max(1, round(wait))} s", retry_after=round(wait, 3), custodian=custodian)


class KeyServer:
    """A running key service on a host and port, in a thread of its own, until `stop`."""

    def __init__(self, app: web.Application, host: str, port: int) -> None:
        """Prepares to serve `app` at `host`:`port` (`start` binds)."""
        self.app, self.host, self.port = app, host, port
        self._loop = asyncio.new_event_loop()
        self._runner = web.AppRunner(app, access_log=None)
        self._thread = threading.Thread(target=self._loop.run_forever, name=f"keys:{port}", daemon=True)

    @property
    def url(self) -> str:
        """Returns the service's base URL."""
        return f"http://{self.host}:{self.port}"

    def start(self) -> KeyServer:
        """Binds and starts serving; returns the server.

        Raises:
            OSError: If the port cannot be bound.
        """
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._open(), self._loop).result(30)
        return self

    async def _open(self) -> None:
        await self._runner.setup()
        await web.TCPSite(self._runner, self.host, self.port, reuse_address=True).start()

    def stop(self) -> None:
        """Stops serving (requests under way finish first) and ends the thread."""
        asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(30)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop.close()

    def __enter__(self) -> KeyServer:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()


async def serve(app: web.Application, host: str, port: int, stopping: asyncio.Event) -> None:
    """Serves `app` at `host`:`port` until `stopping` is set."""
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    try:
        await web.TCPSite(runner, host, port, reuse_address=True).start()
        log.info("listening on http://%s:%d", host, port)
        await stopping.wait()
    finally:
        await runner.cleanup()


def is_ready(url: str, timeout: float = 2.0) -> bool:
    """Tells whether a key service answers its health check at `url`."""
    import requests

    try:
        return requests.get(url.rstrip("/") + "/v1/health", timeout=timeout).status_code == 200
    except requests.RequestException:
        return False


class ChainView:
    """The member's ledger over its own node, opened once the deployment record is installed
    (`contracts deploy` or `contracts verify`), and shared by the service's threads one at a time."""

    def __init__(self, home: MemberHome, account: LocalAccount | None = None) -> None:
        """Opens nothing yet.

        Args:
            home: The member directory.
            account: The member's account, to sign the steward's anchors and attestations.
        """
        self.home = home
        self.account = account
        self.lock = threading.Lock()
        self._ledger: Ledger | None = None

    def ledger(self) -> Ledger | None:
        """Returns the ledger (signing as the member's account, if given), or None before the
        deployment record is installed."""
        if self._ledger is None:
            path = self.home.path / "deployment.json"
            if not path.exists():
                return None
            chain = RpcChain.connect(self.home.rpc_url, chain_id=self.home.manifest().chain_id, member=self.home.name)
            ledger = Ledger(chain, Deployment.load(path))
            self._ledger = ledger.as_account(self.account) if self.account is not None else ledger
        return self._ledger


def chain_membership(view: ChainView) -> Callable[[str], bool]:
    """Returns the check of whether a reader's account holds a role of the registry, through the
    member's own node (see `DocumentRetention.holds_role`)."""

    def member(reader: str) -> bool:
        with view.lock:
            ledger = view.ledger()
            return ledger is not None and bool(ledger.deployment.documents) and ledger.retention.holds_role(reader)

    return member


def chain_entitlement(view: ChainView, author: str) -> Entitlement:
    """Returns the rule that decides, on chain, whether a reader may have a document's key now:
    the document registry's `readStatus` through the member's own node, for a document whose
    record names `author`, the member's account that deposits the keys (see
    `DocumentRetention.refusal`)."""

    def entitled(reader: str, cid: str) -> str | None:
        with view.lock:
            ledger = view.ledger()
            if ledger is None or not ledger.deployment.documents:
                return "the network has no document registry deployed yet"
            return ledger.retention.refusal(cid, reader, author=author)

    return entitled


def main(argv: list[str]) -> int:
    """Runs the key service of the member directory `argv[1]`, its passphrase read from the pipe `argv[2]`."""
    from ..storage.keys import vault_key
    from .member import open_unlocked

    home, account = open_unlocked(argv)
    # This process faces the network: it keeps the two keys derived for its work (the document key
    # that opens deposits, the vault's key) and not the account key, which signs governance votes.
    # The steward, a process of its own that faces no network, signs the anchors and attestations.
    opener, at_rest, address = document_key(bytes(account.key)), vault_key(bytes(account.key)), account.address
    del account
    folder = home.path / "keys"
    folder.mkdir(mode=0o700, exist_ok=True)
    os.chmod(folder, 0o700)
    vault = KeyVault(home.vault_path, at_rest)
    reads = ChainView(home)
    try:
        app = build_app(vault, custodian=home.name, account=opener, chain_id=home.manifest().chain_id,
                        depositors=[address], entitled=chain_entitlement(reads, address), members=chain_membership(reads))
        asyncio.run(_run(app, home.card.host, home.card.key_port, home.name))
    finally:
        vault.close()
    return 0


async def _run(app: web.Application, host: str, port: int, name: str) -> None:
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stopping.set)
    log.info("key service of %s starting", name)
    await serve(app, host, port, stopping)
    log.info("key service of %s stopped", name)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
