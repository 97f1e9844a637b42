"""The local stack: the data plane on one port, the REST API on another, wired from the template.

``LocalStack.start()`` opens the state (``--state-dir``, or memory with ``--no-persist``),
serves the data plane on the AWS port, creates the template's resources in it through its own
API (boto3, as CloudFormation would call the services), starts delivering (asynchronous
invokes, event source mappings, executions left running by an earlier run), the step log, the
simulated carrier and finally the API gateway. Function code runs in sandboxes, one process
per concurrent invoke of each function. ``stop()`` undoes it in reverse order.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from infra.local.process import PortBusy

if TYPE_CHECKING:
    import socket

    from infra.local.dataplane.engine import Engine
    from infra.local.dataplane.http import HttpServer
    from infra.local.sandbox.sandboxes import Sandboxes
    from infra.local.serving import ServerThread

__all__ = ["LocalStack", "Options", "PortBusy"]

REPO = Path(__file__).resolve().parents[2]
REGION = "us-east-1"
CONSOLE_PORT = 3030
log = logging.getLogger("localstack.steps")
DATABASE = "stack.db"


@dataclass
class Options:
    aws_port: int = 4566
    api_port: int = 3000
    host: str = "127.0.0.1"
    template: Path = REPO / "infra" / "template.yaml"
    state_file: Path = REPO / "build" / "local-stack.json"
    state_dir: Path = REPO / "build" / "local-state"
    """Where the stack keeps what it holds (tables, queues, executions ...) across restarts."""
    persist: bool = True
    """False: everything in memory, gone at exit (``--no-persist``)."""
    clean: bool = False
    """Start from nothing: the state directory is emptied first (``--clean``)."""
    stack_name: str = "orderflow-local"
    parameters: dict[str, str] = field(default_factory=lambda: {"Stage": "local"})
    """Template parameter overrides: physical names become orderflow-local-..."""
    payments: str = "simulated"
    """Who moves the money: "simulated", or "stripe" (localstripe on a loopback port, run
    by the stack; the template's PaymentProvider parameter)."""
    stripe_port: int = 0
    """localstripe's port with ``payments="stripe"``; 0: a free one."""
    carrier: bool = True
    dispatch_after: float = 1.0
    deliver_after: float = 2.0
    sqs_visibility_scale: float = 1.0
    time_scale: float | None = None
    """Real seconds per workflow second (moto_patches' default when None)."""
    handler_logs: bool = False
    """The functions' output on the terminal; else in ``log_dir``."""
    log_dir: Path = REPO / "build" / "local-logs"
    """Each function's output (``<function>.log``), as its CloudWatch log group would hold."""
    console_port: int | None = CONSOLE_PORT
    """The operator console (infra/ops/console); None: no console. The default port, when
    busy, means no console (a warning), not a stack that does not start."""
    max_sandboxes: int = max(2, min(8, os.cpu_count() or 1))
    """Per function: how many sandboxes may run at once on this machine (AWS: many more).
    One per core: a function's invokes take milliseconds of CPU, so more sandboxes of it
    would add cold starts and memory, not throughput."""


@dataclass
class LocalStack:
    options: Options
    started_in: float = 0.0
    provisioned: Any = None
    restored: dict[str, int] = field(default_factory=dict)
    """What a restart found and set moving again (empty on a fresh start)."""
    engine: Engine | None = None
    sandboxes: Sandboxes | None = None
    _servers: list[HttpServer | ServerThread] = field(default_factory=list)
    _parts: list[Any] = field(default_factory=list)
    _console: Any = None
    localstripe: Any = None
    """The running localstripe (``infra.local.localstripe.LocalStripe``) with Stripe payments."""

    @property
    def aws_url(self) -> str:
        return f"http://{self.options.host}:{self.options.aws_port}"

    @property
    def api_url(self) -> str:
        return f"http://{self.options.host}:{self.options.api_port}"

    @property
    def console_url(self) -> str | None:
        return self._console.url if self._console is not None else None

    @property
    def stage(self) -> str:
        return self.options.parameters.get("Stage", "local")

    def start(self) -> None:
        from infra.local.process import bind, environment

        began = time.monotonic()
        o = self.options
        api_socket = bind(o.host, o.api_port, "--api-port")
        aws_socket = bind(o.host, o.aws_port, "--aws-port")
        console_socket = self._console_socket()
        environment(self.aws_url, o.aws_port, o.handler_logs)
        self._start_data_plane(aws_socket)
        self._start_payments()
        self._provision()
        self._put_payment_secret()
        self._foreground()
        assert self.engine is not None  # noqa: S101  # set by _start_data_plane
        self.restored |= self.engine.start()
        self._parts += self._observers()
        for part in self._parts:
            part.start()
        self._start_api(api_socket)
        if console_socket is not None:
            from infra.ops.console.server import local_console

            self._console = local_console(self.describe(), console_socket, o.host).start()
        self.started_in = time.monotonic() - began
        o.state_file.parent.mkdir(parents=True, exist_ok=True)
        o.state_file.write_text(json.dumps(self.describe(), indent=2) + "\n")

    def describe(self) -> dict[str, Any]:
        """What runs where (``build/local-stack.json``)."""
        from infra.local.state import describe

        return describe(self)

    def stop(self) -> None:
        """Stop every part, newest first: the console, the API, the observers, delivery,
        sandboxes, state."""
        if self._console is not None:
            self._console.stop()
        for server in reversed(self._servers[1:]):
            server.stop()
        for part in reversed(self._parts):
            part.stop()
        if self.engine is not None:
            self.engine.stop()
        if self.sandboxes is not None:
            self.sandboxes.close()
        if self.localstripe is not None:
            self.localstripe.stop()
        if self._servers:
            self._servers[0].stop()
        if self.engine is not None:
            self.engine.store.close()

    # ----- parts ----------------------------------------------------------------------
    def _console_socket(self) -> socket.socket | None:
        from infra.ops.console import server

        port = self.options.console_port
        if port is None:
            return None
        try:
            return server.bind(self.options.host, port, "--console-port")
        except server.PortBusy:
            if port != CONSOLE_PORT:
                raise PortBusy(port, "--console-port") from None
            log.warning("port %s is in use: no console (--console-port N moves it)", port)
            return None

    def _start_data_plane(self, sock: socket.socket) -> None:
        from infra.local import moto_patches
        from infra.local.dataplane.engine import Engine
        from infra.local.dataplane.http import HttpServer
        from infra.local.dataplane.store import Store
        from infra.local.provision import ACCOUNT
        from infra.local.sandbox.environment import Surroundings, task_root
        from infra.local.sandbox.report import log_report
        from infra.local.sandbox.sandboxes import Sandboxes
        from infra.package import FIRST_PARTY

        o = self.options
        if o.clean and o.state_dir.exists():
            shutil.rmtree(o.state_dir)
        store = Store(o.state_dir / DATABASE if o.persist else None)
        where = Surroundings(
            endpoint=self.aws_url,
            region=REGION,
            task_root=task_root(REPO, REPO / "build" / "lambda-task-root", FIRST_PARTY),
            log_level=None if o.handler_logs else "WARN",
            metrics=o.handler_logs,
            log_dir=None if o.handler_logs else o.log_dir,
        )
        self.sandboxes = Sandboxes(where, local_limit=o.max_sandboxes, report=log_report)
        moto_patches.apply(time_scale=o.time_scale, local_stack=True)
        self.engine = Engine(
            store,
            runner=self.sandboxes,
            endpoint=self.aws_url,
            region=REGION,
            account=ACCOUNT,
            local_limit=o.max_sandboxes,
            visibility_scale=o.sqs_visibility_scale,
        )
        moto_patches.route_interpreter(self.engine.invoke, self.aws_url)
        if store.restored:
            self.restored["restoredFrom"] = 1
        server = HttpServer(self.engine.endpoint, sock, "aws-endpoint")
        server.start()
        self._servers.append(server)

    def _start_payments(self) -> None:
        o = self.options
        if o.payments not in ("simulated", "stripe"):
            raise ValueError(f"no such payment provider: {o.payments} (simulated or stripe)")
        if o.payments != "stripe":
            return
        from infra.local.localstripe import LocalStripe

        self.localstripe = LocalStripe(
            log_file=o.log_dir / "localstripe.log",
            port=o.stripe_port,
            state_file=o.state_dir / "localstripe.pickle" if o.persist else None,
        ).start()

    def parameters(self) -> dict[str, str]:
        """The template's parameter overrides: the options', and the payment provider's."""
        chosen = dict(self.options.parameters)
        if self.localstripe is not None:
            chosen |= {
                "PaymentProvider": "stripe",
                "StripeApiBase": self.localstripe.url,
                "StripeSearchApi": "disabled",  # localstripe has no Search API
            }
        return chosen

    def _provision(self) -> None:
        import boto3

        from infra.local.provision import provision
        from infra.sam_translate import translate

        o = self.options
        parameters = self.parameters()
        self._cfn = translate(o.template, region=REGION, parameters=parameters)
        session = boto3.Session(region_name=REGION)
        self.provisioned = provision(
            self._cfn, session, self.aws_url, REGION, o.stack_name, parameters
        )

    def _put_payment_secret(self) -> None:
        """localstripe's key in the template's secret, as an operator puts Stripe's."""
        if self.localstripe is None:
            return
        from infra.local.localstripe import API_KEY

        assert self.engine is not None  # noqa: S101
        secret = self.provisioned.names["StripeApiKeySecret"]
        self.engine.secrets.call("PutSecretValue", {"SecretId": secret, "SecretString": API_KEY})

    def _condition(self, name: str) -> bool:
        """The template's condition as this stack was provisioned (its parameters)."""
        refs = self.provisioned.refs
        assert refs is not None  # noqa: S101  # provision() sets it
        return refs.condition(name)

    def _foreground(self) -> None:
        """The functions behind the API: their sandboxes keep normal priority."""
        import dataclasses

        from infra.local.routes import routes_from_template

        assert self.sandboxes is not None  # noqa: S101  # set by _start_data_plane
        names = {
            self.provisioned.names[r.function]
            for r in routes_from_template(self._cfn, self._condition)
        }
        self.sandboxes.where = dataclasses.replace(
            self.sandboxes.where, foreground=frozenset(names)
        )

    def _observers(self) -> list[Any]:
        from infra.local.carrier_sim import CarrierSimulator, StepLog

        assert self.engine is not None  # noqa: S101
        bus = self.domain_bus()
        parts: list[Any] = [StepLog(self.engine.events, bus, _log_step)]
        if self.options.carrier:
            parts.append(
                CarrierSimulator(
                    self.engine,
                    bus,
                    dispatch_after=self.options.dispatch_after,
                    deliver_after=self.options.deliver_after,
                    city_of=self._city_of,
                )
            )
        return parts

    def _start_api(self, sock: socket.socket) -> None:
        from infra.local import tokens
        from infra.local.gateway import create_app
        from infra.local.routes import routes_from_template
        from infra.local.serving import ServerThread

        engine, names = self.engine, self.provisioned.names
        assert engine is not None  # noqa: S101

        def invoke(function: str, event: dict[str, Any]) -> dict[str, Any]:
            result = engine.functions.invoke(names[function], json.dumps(event).encode())
            if result.function_error:
                raise RuntimeError(f"{function} failed: {result.error_type}")
            answer: dict[str, Any] = json.loads(result.payload)
            return answer

        app = create_app(
            routes_from_template(self._cfn, self._condition),
            invoke,
            tokens.verify,
            stage=self.stage,
        )
        server = ServerThread(app, sock, "api")
        server.start()
        self._servers.append(server)

    # ----- what the parts need from the template --------------------------------------
    def domain_bus(self) -> str:
        """The bus the handlers publish to (their EVENT_BUS_NAME)."""
        buses = self.provisioned.of_type("AWS::Events::EventBus")
        first = self.provisioned.names[next(iter(buses))] if buses else "default"
        return self.provisioned.setting("EVENT_BUS_NAME") or first

    def orders_table(self) -> str:
        """The table the handlers keep orders in (their ORDERS_TABLE)."""
        tables = self.provisioned.of_type("AWS::DynamoDB::Table")
        return (
            self.provisioned.setting("ORDERS_TABLE") or self.provisioned.names[next(iter(tables))]
        )

    def _city_of(self, order_id: str) -> str | None:
        from adapters.aws.keys import ORDER_SK, order_pk

        assert self.engine is not None  # noqa: S101
        key = {"PK": {"S": order_pk(order_id)}, "SK": {"S": ORDER_SK}}
        item = self.engine.dynamodb.call("GetItem", {"TableName": self.orders_table(), "Key": key})
        address = ((item.get("Item") or {}).get("shippingAddress") or {}).get("M") or {}
        city = (address.get("city") or {}).get("S")
        return str(city) if city is not None else None


STEPS = {  # domain event -> what the step log says (ids only: no personal data)
    "OrderPlaced": "order placed",
    "PaymentAuthorized": "payment authorized",
    "PaymentFailed": "payment failed",
    "ShipmentRequested": "shipment requested",
    "ShipmentDispatched": "shipment dispatched",
    "ShipmentDelivered": "delivered",
    "DeliveryFailed": "delivery failed",
    "PaymentCaptured": "payment captured",
    "OrderCompleted": "completed",
    "OrderCancelled": "cancelled",
    "ShipmentCancelled": "compensated: shipment cancelled",
    "PaymentVoided": "compensated: payment voided",
    "OrderFailed": "failed",
    "RefundIssued": "refund issued",
}


def _log_step(event: dict[str, Any]) -> None:
    step = STEPS.get(str(event.get("detail-type")))
    order_id = (event.get("detail") or {}).get("orderId", "?")
    if step:
        log.info("order %s  %s", order_id, step)
