"""The events publisher: AMQP 0-9-1 (RabbitMQ) through kombu, the client Celery uses.

One connection per relay pass, publisher confirms on (kombu's ``confirm_publish`` transport
option: each ``publish`` waits for the broker's ``basic.ack``; a ``basic.nack`` or a channel
error raises), a durable topic exchange declared on connect, persistent messages
(``delivery_mode`` 2). Every failure (connection refused, authentication, a confirm that does
not come within the timeout, a nack) becomes :class:`EventsBrokerError` with one line naming the
broker (password hidden) and the cause.
"""

from __future__ import annotations

from dataclasses import dataclass

from agent.errors import DraftguardError

PERSISTENT = 2  # AMQP 0-9-1 basic.properties delivery-mode: persistent


class EventsBrokerError(DraftguardError):
    """The broker could not be reached or did not confirm a message (the rows stay unpublished)."""


@dataclass(frozen=True)
class OutgoingMessage:
    """One message for the exchange: ``body`` (bytes), ``content_type`` (structured mode:
    ``application/cloudevents+json``), ``routing_key`` (the event type), ``message_id`` (the
    CloudEvent id) and ``correlation_id`` (the item's)."""

    body: bytes
    content_type: str
    routing_key: str
    message_id: str
    correlation_id: str


def _cause(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return f"{type(exc).__name__}: {text}"[:300]


class AmqpEventPublisher:
    """Publishes :class:`OutgoingMessage` to the topic exchange ``exchange`` at ``url``.

    Use as a context manager; ``__enter__`` connects and declares the exchange
    (durable, ``topic``). Timeouts in seconds. Raises :class:`EventsBrokerError`."""

    def __init__(self, url: str, exchange: str, *, connect_timeout: float = 5.0, confirm_timeout: float = 10.0):
        from kombu import Connection, Exchange

        self._conn = Connection(
            url,
            connect_timeout=connect_timeout,
            transport_options={"confirm_publish": True},
        )
        self.shown = self._conn.as_uri()  # kombu hides the password
        self.exchange = Exchange(exchange, type="topic", durable=True, auto_delete=False)
        self.confirm_timeout = confirm_timeout
        self._producer = None

    def __enter__(self) -> AmqpEventPublisher:
        from kombu import Producer

        try:
            self._conn.connect()
            channel = self._conn.channel()
            self.exchange(channel).declare()
            self._producer = Producer(channel, exchange=self.exchange)
        except Exception as exc:
            self.close()
            raise EventsBrokerError(f"events broker {self.shown} unavailable: {_cause(exc)}") from exc
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def publish(self, msg: OutgoingMessage) -> None:
        """Publish ``msg`` and wait for the broker's confirm (``confirm_timeout``)."""
        if self._producer is None:
            raise EventsBrokerError(f"events broker {self.shown}: not connected")
        try:
            self._producer.publish(
                msg.body,
                routing_key=msg.routing_key,
                content_type=msg.content_type,
                content_encoding="utf-8",
                delivery_mode=PERSISTENT,
                message_id=msg.message_id,
                correlation_id=msg.correlation_id,
                retry=False,
                confirm_timeout=self.confirm_timeout,
                timeout=self.confirm_timeout,
            )
        except TimeoutError as exc:
            raise EventsBrokerError(f"events broker {self.shown}: no confirm within {self.confirm_timeout:g} s ({_cause(exc)})") from exc
        except Exception as exc:
            raise EventsBrokerError(f"events broker {self.shown} failed while publishing: {_cause(exc)}") from exc

    def close(self) -> None:
        """Close the connection (idempotent; errors while closing a broken one are ignored)."""
        try:
            self._conn.release()
        except Exception:  # a dead connection may fail to close: nothing left to keep
            pass
        self._producer = None
