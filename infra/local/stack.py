"""The local stack: moto on one port, the REST API on another, wired from infra/template.yaml.

``LocalStack.start()`` sets the process up as the handlers' "AWS" (endpoint, fake credentials),
applies the moto patches, starts moto's server, creates the template's resources in it, starts
the event source pollers, the step log, the simulated carrier and finally the API; ``stop()``
undoes it in reverse order and joins every thread it started.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from infra.local.process import PortBusy

if TYPE_CHECKING:
    import socket

__all__ = ["LocalStack", "Options", "PortBusy"]

REPO = Path(__file__).resolve().parents[2]
REGION = "us-east-1"
CONSOLE_PORT = 3030
log = logging.getLogger("localstack.steps")

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


@dataclass
class Options:
    aws_port: int = 4566
    api_port: int = 3000
    host: str = "127.0.0.1"
    template: Path = REPO / "infra" / "template.yaml"
    state_file: Path = REPO / "build" / "local-stack.json"
    stack_name: str = "orderflow-local"
    parameters: dict[str, str] = field(default_factory=lambda: {"Stage": "local"})
    """Template parameter overrides: physical names become orderflow-local-..."""
    carrier: bool = True
    dispatch_after: float = 1.0
    deliver_after: float = 2.0
    sqs_visibility_scale: float = 1.0
    time_scale: float | None = None
    """Real seconds per workflow second (moto_patches' default when None)."""
    handler_logs: bool = False
    console_port: int | None = CONSOLE_PORT
    """The operator console (infra/ops/console); None: no console. The default port, when
    busy, means no console (a warning), not a stack that does not start."""


@dataclass
class LocalStack:
    options: Options
    started_in: float = 0.0
    provisioned: Any = None
    _parts: list[Any] = field(default_factory=list)
    _moto: Any = None
    _api: Any = None
    _api_thread: threading.Thread | None = None
    _console: Any = None

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
        bind(o.host, o.aws_port, "--aws-port").close()
        console_socket = self._console_socket()
        environment(self.aws_url, o.aws_port, o.handler_logs)
        self._start_moto()
        import boto3

        from infra.local.pollers import pollers_for
        from infra.local.provision import provision
        from infra.sam_translate import translate

        cfn = translate(o.template, region=REGION, parameters=o.parameters)
        session = boto3.Session(region_name=REGION)
        self.provisioned = provision(cfn, session, self.aws_url, REGION, o.stack_name, o.parameters)
        mappings = list(self.provisioned.of_type("AWS::Lambda::EventSourceMapping").values())
        self._parts += pollers_for(mappings, session, self.aws_url, REGION, o.sqs_visibility_scale)
        self._parts += self._observers(session)
        for part in self._parts:
            part.start()
        self._start_api(cfn, session, api_socket)
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
        """Stop every part, newest first, and join every thread started (a few seconds)."""
        from infra.local import moto_patches

        steps: list[tuple[str, Any]] = []
        if self._console is not None:
            self._console.stop()
        if self._api is not None and self._api_thread is not None:
            self._api.should_exit = True
            steps.append(("api", self._api_thread))
        for part in reversed(self._parts):
            part.stop()
            steps.append((part.name if isinstance(part, threading.Thread) else "carrier", part))
        for name, part in steps:
            began = time.monotonic()
            if isinstance(part, threading.Thread):
                part.join(10)
            log.debug("stopped %s in %.2f s", name, time.monotonic() - began)
        moto_patches.stop_async_invocations()
        if self._moto is not None:
            began = time.monotonic()
            self._moto.stop()
            log.debug("stopped moto in %.2f s", time.monotonic() - began)

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

    def _start_moto(self) -> None:
        from moto.core.models import default_user_config
        from moto.server import ThreadedMotoServer

        from infra.local import moto_patches

        default_user_config["lambda"] = {"use_docker": False}
        default_user_config["stepfunctions"] = {"execute_state_machine": True}
        moto_patches.apply(time_scale=self.options.time_scale, local_stack=True)
        self._moto = ThreadedMotoServer(self.options.host, self.options.aws_port, verbose=False)
        self._moto.start()

    def _observers(self, session: Any) -> list[Any]:
        from infra.local.carrier_sim import BusSubscription, CarrierSimulator

        bus = self.domain_bus()
        parts: list[Any] = [
            BusSubscription(
                session,
                self.aws_url,
                bus,
                "local-only-step-log",
                {"source": ["orderflow.orders"]},
                _log_step,
            )
        ]
        if self.options.carrier:
            parts.append(
                CarrierSimulator(
                    session,
                    self.aws_url,
                    bus,
                    dispatch_after=self.options.dispatch_after,
                    deliver_after=self.options.deliver_after,
                    city_of=self._city_of,
                )
            )
        return parts

    def _start_api(self, cfn: dict[str, Any], session: Any, sock: socket.socket) -> None:
        import uvicorn
        from botocore.config import Config

        from infra.local import tokens
        from infra.local.gateway import create_app
        from infra.local.routes import routes_from_template

        # Like API Gateway: one attempt (a retried invoke would run the function twice).
        once = Config(read_timeout=60, retries={"total_max_attempts": 1})
        lambdas = session.client("lambda", endpoint_url=self.aws_url, config=once)
        names = self.provisioned.names

        def invoke(function: str, event: dict[str, Any]) -> dict[str, Any]:
            reply = lambdas.invoke(FunctionName=names[function], Payload=json.dumps(event))
            body = reply["Payload"].read()
            if reply.get("FunctionError"):
                raise RuntimeError(f"{function} failed: {json.loads(body).get('errorType')}")
            answer: dict[str, Any] = json.loads(body)
            return answer

        app = create_app(routes_from_template(cfn), invoke, tokens.verify, stage=self.stage)
        config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off")
        self._api = uvicorn.Server(config)
        self._api_thread = threading.Thread(
            target=self._api.run, kwargs={"sockets": [sock]}, name="api", daemon=True
        )
        self._api_thread.start()
        deadline = time.monotonic() + 10
        while not self._api.started and time.monotonic() < deadline:
            time.sleep(0.01)

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
        from adapters.aws.dynamodb_orders import DynamoOrderRepository

        return DynamoOrderRepository(self.orders_table()).get(order_id).shipping_address.city


def _log_step(event: dict[str, Any]) -> None:
    step = STEPS.get(str(event.get("detail-type")))
    order_id = (event.get("detail") or {}).get("orderId", "?")
    if step:
        log.info("order %s  %s", order_id, step)
