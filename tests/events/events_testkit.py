"""Helpers for the events tests: the machine's RabbitMQ, a private exchange, queues to read it back.

RabbitMQ: ``DRAFTGUARD_TEST_BROKER_URL`` (default ``amqp://guest:guest@127.0.0.1:5672//``).
Absent, the tests that need it skip with the reason, or fail under
``DRAFTGUARD_REQUIRE_SERVICES=1`` (:func:`tests.conftest.need_service`).
"""

from __future__ import annotations

import os
import socket
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

from tests.conftest import need_service

BROKER_URL = os.environ.get("DRAFTGUARD_TEST_BROKER_URL", "amqp://guest:guest@127.0.0.1:5672//")


def require_broker() -> None:
    """Skip (or fail in CI) when the broker does not answer."""
    from kombu import Connection

    try:
        with Connection(BROKER_URL, connect_timeout=3) as c:
            c.connect()
    except Exception as exc:  # refused, auth, timeout
        need_service(f"RabbitMQ not reachable at {BROKER_URL}: {exc}")


def exchange_name() -> str:
    return f"dg.test.{uuid.uuid4().hex[:12]}"


class Consumer:
    """Exclusive, auto-deleted queues bound to a topic exchange (declared here the way the relay
    declares it: durable topic) with the given routing-key patterns; ``drain(name)`` returns
    every message waiting in that queue as ``kombu`` messages, acknowledged."""

    def __init__(self, exchange: str, bindings: dict[str, list[str]]):
        from kombu import Connection, Exchange, Queue

        self.conn = Connection(BROKER_URL, connect_timeout=5)
        self.channel = self.conn.channel()
        self.exchange = Exchange(exchange, type="topic", durable=True, auto_delete=False)
        self.exchange(self.channel).declare()
        self.queues = {}
        for name, patterns in bindings.items():
            q = Queue(f"{exchange}.{name}", exchange=self.exchange, routing_key=patterns[0], exclusive=True, auto_delete=True)
            bound = q(self.channel)
            bound.declare()
            for extra in patterns[1:]:
                bound.bind_to(self.exchange, routing_key=extra)
            self.queues[name] = bound

    def drain(self, name: str) -> list:
        out = []
        q = self.queues[name]
        while (m := q.get(no_ack=True)) is not None:
            out.append(m)
        return out

    def close(self) -> None:
        try:
            self.exchange(self.channel).delete()
        finally:
            self.conn.release()


@contextmanager
def consumer(exchange: str, bindings: dict[str, list[str]]) -> Iterator[Consumer]:
    c = Consumer(exchange, bindings)
    try:
        yield c
    finally:
        c.close()


def parse(m):
    """A received kombu message parsed back into a CloudEvent with the SDK's RabbitMQ binding."""
    from cloudevents.core.bindings.rabbitmq import RabbitMQMessage, from_rabbitmq_event

    return from_rabbitmq_event(RabbitMQMessage(headers=dict(m.headers or {}), content_type=m.content_type, body=m.body))


class CuttableProxy:
    """A TCP proxy on 127.0.0.1 in front of the broker; :meth:`cut` closes every connection
    through it and stops listening, as a broker that went away does."""

    def __init__(self):
        parsed = urlsplit(BROKER_URL)
        self.target = (parsed.hostname or "127.0.0.1", parsed.port or 5672)
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(8)
        self.port = self.listener.getsockname()[1]
        self.sockets: list[socket.socket] = []
        self.cut_done = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self.cut_done:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            self.sockets += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(a: socket.socket, b: socket.socket) -> None:
        try:
            while data := a.recv(65536):
                b.sendall(data)
        except OSError:
            pass
        finally:
            for s in (a, b):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def url(self) -> str:
        """The broker URL (its credentials and vhost) through this proxy."""
        parsed = urlsplit(BROKER_URL)
        creds = parsed.netloc.rsplit("@", 1)[0] + "@" if "@" in parsed.netloc else ""
        return f"{parsed.scheme}://{creds}127.0.0.1:{self.port}{parsed.path}"

    def cut(self) -> None:
        self.cut_done = True
        try:  # wakes the accept() of the other thread (close() alone leaves the socket listening)
            self.listener.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.listener.close()
        for s in self.sockets:
            try:
                s.shutdown(socket.SHUT_RDWR)
                s.close()
            except OSError:
                pass
