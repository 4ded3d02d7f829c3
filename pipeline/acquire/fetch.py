"""Bounded HTTP fetching shared by the fetch-on-demand path (:mod:`pipeline.acquire.on_demand`) and
the download path (:mod:`pipeline.acquire.download`, discovery): stdlib ``urllib`` only, with a
timeout, a size cap (refused as soon as the server announces more, or sends more), a truncation
check against ``Content-Length``, and every failure turned into one :class:`FetchError` with a
short reason.

The caller names the URL in its own message; the reasons here say what went wrong.
"""

from __future__ import annotations

import hashlib
import http.client
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import BinaryIO

BLOCK = 1 << 16
USER_AGENT = "defence-warehouse (provenance-checked fetch; python urllib)"


class FetchError(RuntimeError):
    """One location did not yield the bytes asked for."""


class OversizeError(FetchError):
    """The location sent (or announced) more bytes than asked for: it has something, but not the
    file, which is a different failure from not answering."""


@dataclass(frozen=True)
class Copied:
    """What a copy received: sha256, size, the first bytes, and the response's headers."""

    sha256: str
    size: int
    head: bytes
    headers: dict[str, str] = field(default_factory=dict)


def _is_timeout(exc: BaseException) -> bool:
    return isinstance(exc, TimeoutError) or isinstance(getattr(exc, "reason", None), TimeoutError)


def copy_url(
    url: str, out: BinaryIO, limit: int, timeout_s: float, deadline_s: float | None = None
) -> Copied:
    """Stream ``url`` into ``out``, refusing more than ``limit`` bytes.

    ``timeout_s`` bounds each socket operation; ``deadline_s``, when given, the whole transfer (a
    server trickling bytes would otherwise defeat the socket timeout).
    """
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    deadline = None if deadline_s is None else time.monotonic() + deadline_s
    try:
        with urllib.request.urlopen(request, timeout=timeout_s) as response:
            announced = response.headers.get("Content-Length")
            if announced is not None and announced.isdigit() and int(announced) > limit:
                raise OversizeError(f"server announces {announced} bytes, over {limit}")
            digest, size, head = stream(response, out, limit, deadline)
            headers = {k.lower(): v for k, v in response.headers.items()}
    except urllib.error.HTTPError as exc:
        raise FetchError(f"HTTP {exc.code} {exc.reason}") from None
    except http.client.IncompleteRead:
        raise FetchError("truncated response: the connection closed early") from None
    except (OSError, http.client.HTTPException) as exc:  # URLError, timeouts, resets
        if _is_timeout(exc):
            raise FetchError(f"timed out: no answer within {timeout_s:g} s") from None
        raise FetchError(f"request failed ({exc})") from None
    if announced is not None and announced.isdigit() and size != int(announced):
        raise FetchError(f"truncated response: {size} of the announced {announced} bytes")
    return Copied(digest, size, head, headers)


def stream(
    source: BinaryIO, out: BinaryIO, limit: int, deadline: float | None = None
) -> tuple[str, int, bytes]:
    """Copy ``source`` into ``out``; (sha256, size, first 64 bytes). Refuses past ``limit``."""
    digest, size, head = hashlib.sha256(), 0, b""
    while block := source.read(BLOCK):
        size += len(block)
        if size > limit:
            raise OversizeError(f"more than {limit} bytes; refused")
        if deadline is not None and time.monotonic() > deadline:
            raise FetchError("timed out: the transfer took longer than its deadline")
        if not head:
            head = block[:64]
        digest.update(block)
        out.write(block)
    return digest.hexdigest(), size, head
