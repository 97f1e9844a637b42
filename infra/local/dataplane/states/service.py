"""The Step Functions API on the data plane.

Emulated: Create/Describe/List/Update/DeleteStateMachine, StartExecution (name idempotency
as AWS: the same name and input while running answers the same execution, a name already used
otherwise is ExecutionAlreadyExists), DescribeExecution, ListExecutions (newest first,
statusFilter, maxResults, nextToken), GetExecutionHistory (maxResults, nextToken,
reverseOrder, includeExecutionData), StopExecution, SendTaskSuccess/Failure/Heartbeat,
DescribeStateMachineForExecution, RedriveExecution (from the start: ``restarts.py``). Not
emulated: Express workflows' semantics (run as Standard), versions and aliases, activities,
map runs, StartSyncExecution, TestState.
"""

from __future__ import annotations

import functools
import json
import logging
import queue
import sqlite3
import threading
import time
from collections.abc import Callable
from typing import Any

from moto.stepfunctions.parser.models import StepFunctionsParserBackend

from infra.local.dataplane.errors import AwsError
from infra.local.dataplane.service import JsonService, Params
from infra.local.dataplane.states import records, restarts
from infra.local.dataplane.states.interpreter import Interpreter, LocalExecution
from infra.local.dataplane.store import Store

log = logging.getLogger("localstack")
MAX_INPUT = 256 * 1024


class StepFunctions(JsonService):
    NAME = "stepfunctions"
    TARGET_PREFIX = "AWSStepFunctions"
    OPERATIONS = frozenset(
        {
            "CreateStateMachine",
            "DescribeStateMachine",
            "ListStateMachines",
            "UpdateStateMachine",
            "DeleteStateMachine",
            "StartExecution",
            "DescribeExecution",
            "ListExecutions",
            "GetExecutionHistory",
            "StopExecution",
            "SendTaskSuccess",
            "SendTaskFailure",
            "SendTaskHeartbeat",
            "DescribeStateMachineForExecution",
            "RedriveExecution",
        }
    )

    def __init__(
        self, store: Store, *, clock: Callable[[], float], region: str, account: str
    ) -> None:
        store.schema(records.DDL)
        self.store, self.clock = store, clock
        self.region, self.account = region, account
        self.interpreter = Interpreter(account, region)
        self._moto = StepFunctionsParserBackend(region, account)
        """Validates definitions and holds the state machines the interpreter runs."""
        self._load_machines()
        self._launching: queue.SimpleQueue[str | None] = queue.SimpleQueue()
        self._stopped = False
        threading.Thread(target=self._launcher, name="sfn-launcher", daemon=True).start()

    # ----- state machines ---------------------------------------------------------------
    def _load_machines(self) -> None:
        with self.store.read() as db:
            rows = db.execute("SELECT name, definition, role, type FROM sfn_machines").fetchall()
        for name, definition, role, kind in rows:
            self._moto.create_state_machine(name, definition, role, sm_type=kind)

    def create_state_machine(self, p: Params) -> Params:
        kind = p.get("type", "STANDARD")
        try:
            machine = self._moto.create_state_machine(
                p.get("name", ""), p.get("definition", ""), p.get("roleArn", ""), sm_type=kind
            )
        except Exception as refused:
            raise _moto_error(refused) from None
        with self.store.write() as db:
            db.execute(
                "INSERT OR REPLACE INTO sfn_machines VALUES (?, ?, ?, ?, ?, ?)",
                (
                    machine.arn,
                    machine.name,
                    machine.definition,
                    machine.roleArn,
                    kind,
                    self.clock(),
                ),
            )
        return {"stateMachineArn": machine.arn, "creationDate": self._created(machine.arn)}

    def _machine(self, arn: str) -> Any:
        try:
            return self._moto.describe_state_machine(arn)
        except Exception:
            raise AwsError(
                "StateMachineDoesNotExist", f"State Machine Does Not Exist: '{arn}'"
            ) from None

    def _created(self, arn: str) -> float:
        with self.store.read() as db:
            row = db.execute("SELECT created FROM sfn_machines WHERE arn = ?", (arn,)).fetchone()
        return float(row[0]) if row else self.clock()

    def describe_state_machine(self, p: Params) -> Params:
        machine = self._machine(p.get("stateMachineArn", ""))
        return {
            "stateMachineArn": machine.arn,
            "name": machine.name,
            "status": "ACTIVE",
            "definition": machine.definition,
            "roleArn": machine.roleArn,
            "type": machine.sm_type,
            "creationDate": self._created(machine.arn),
            "loggingConfiguration": {"level": "OFF", "includeExecutionData": False},
        }

    def list_state_machines(self, p: Params) -> Params:
        with self.store.read() as db:
            rows = db.execute("SELECT arn, name, type, created FROM sfn_machines ORDER BY created")
            machines = [
                {"stateMachineArn": a, "name": n, "type": t, "creationDate": c}
                for a, n, t, c in rows.fetchall()
            ]
        return {"stateMachines": machines}

    def update_state_machine(self, p: Params) -> Params:
        arn = p.get("stateMachineArn", "")
        machine = self._machine(arn)
        try:
            self._moto.update_state_machine(
                arn,
                definition=p.get("definition"),  # type: ignore[arg-type]  # None: unchanged
                role_arn=p.get("roleArn"),  # type: ignore[arg-type]
            )
        except Exception as refused:
            raise _moto_error(refused) from None
        with self.store.write() as db:
            db.execute(
                "UPDATE sfn_machines SET definition = ?, role = ? WHERE arn = ?",
                (machine.definition, machine.roleArn, arn),
            )
        return {"updateDate": self.clock()}

    def delete_state_machine(self, p: Params) -> Params:
        arn = p.get("stateMachineArn", "")
        self._machine(arn)
        self._moto.delete_state_machine(arn)
        with self.store.write() as db:
            db.execute("DELETE FROM sfn_machines WHERE arn = ?", (arn,))
        return {}

    # ----- executions -------------------------------------------------------------------
    def start_execution(self, p: Params) -> Params:
        with self.store.write() as db:
            row = self.start(db, p.get("stateMachineArn", ""), p.get("name"), p.get("input"))
        return {"executionArn": row["arn"], "startDate": row["started"]}

    def start(
        self, db: sqlite3.Connection, machine_arn: str, name: str | None, input_json: str | None
    ) -> dict[str, Any]:
        """Record an execution in ``db``'s transaction; the interpreter starts it after the
        commit (an EventBridge target starts one inside PutEvents' transaction)."""
        machine = self._machine(machine_arn)
        name = name or _generated_name(self.clock())
        text = "{}" if input_json is None else input_json
        _check_input(text)
        arn = f"arn:aws:states:{self.region}:{self.account}:execution:{machine.name}:{name}"
        existing = records.execution(db, arn)
        if existing is not None:
            if existing["status"] == "RUNNING" and existing["input"] == text:
                return existing
            raise AwsError("ExecutionAlreadyExists", f"Execution Already Exists: '{arn}'")
        started = self.clock()
        db.execute(
            "INSERT INTO sfn_executions (arn, machine, name, status, input, started) "
            "VALUES (?, ?, ?, 'RUNNING', ?, ?)",
            (arn, machine.arn, name, text, started),
        )
        self.store.after_commit(functools.partial(self._launching.put, arn))
        found = records.execution(db, arn)
        assert found is not None  # noqa: S101  # inserted just above
        return found

    def _launcher(self) -> None:
        """Executions start on this thread: the caller that recorded one (StartExecution, an
        EventBridge target) is answered without waiting for the interpreter to set up."""
        while True:
            arn = self._launching.get()
            if arn is None:
                return
            try:
                self._launch(arn)
            except Exception:  # the execution stays RUNNING in the store: restarted at start-up
                log.exception("could not start %s", arn)

    def _launch(self, arn: str) -> None:
        if self._stopped:
            return  # recorded RUNNING: the next start runs it
        with self.store.read() as db:
            row = records.execution(db, arn)
        if row is None or row["status"] != "RUNNING" or self.interpreter.live(arn):
            return
        machine = self._machine(row["machine"])
        self.interpreter.launch(
            machine, arn, row["name"], row["input"], row["started"], self._closed
        )

    def _closed(self, execution: LocalExecution) -> None:
        stopped = execution.stop_date.timestamp() if execution.stop_date else self.clock()
        with self.store.write() as db:
            db.execute(
                "UPDATE sfn_executions SET status = ?, output = ?, error = ?, cause = ?, "
                "stopped = ?, history = ? WHERE arn = ? AND status = 'RUNNING'",
                (
                    execution.status,
                    execution.output_json(),
                    execution.error,
                    execution.cause,
                    stopped,
                    json.dumps(self._history(execution)),
                    execution.exec_arn,
                ),
            )

    def _history(self, execution: LocalExecution) -> list[dict[str, Any]]:
        """moto's events, after the events of earlier runs of a restarted execution."""
        with self.store.read() as db:
            earlier = records.history(db, execution.exec_arn) or []
        offset = len(earlier)
        events = execution.history()
        for event in events:
            event["id"] = int(event["id"]) + offset
            if "previousEventId" in event:
                event["previousEventId"] = int(event["previousEventId"]) + offset
        return earlier + events

    def describe_execution(self, p: Params) -> Params:
        row = self._row(p.get("executionArn", ""))
        return {**records.describe(row), **restarts.redrive_status(row, self.clock())}

    def _row(self, arn: str) -> dict[str, Any]:
        with self.store.read() as db:
            row = records.execution(db, arn)
        if row is None:
            raise AwsError("ExecutionDoesNotExist", f"Execution Does Not Exist: '{arn}'")
        return row

    def list_executions(self, p: Params) -> Params:
        machine = p.get("stateMachineArn", "")
        self._machine(machine)
        limit = int(p.get("maxResults") or 100)
        if not 0 < limit <= 1000:
            raise AwsError("ValidationException", "maxResults must be between 1 and 1000")
        before = int(p["nextToken"]) if p.get("nextToken") else None
        with self.store.read() as db:
            rows = records.executions(db, machine, p.get("statusFilter"), before, limit + 1)
        out: Params = {"executions": [records.list_item(r) for r in rows[:limit]]}
        if len(rows) > limit:
            out["nextToken"] = str(rows[limit - 1]["seq"])
        return out

    def get_execution_history(self, p: Params) -> Params:
        arn = p.get("executionArn", "")
        row = self._row(arn)
        live = self.interpreter.live(arn)
        with self.store.read() as db:
            stored = records.history(db, arn) or []
        events = self._history(live) if live is not None and row["status"] == "RUNNING" else stored
        if p.get("reverseOrder"):
            events = list(reversed(events))
        if p.get("includeExecutionData") is False:
            events = [_without_data(e) for e in events]
        start = int(p.get("nextToken") or 0)
        limit = int(p.get("maxResults") or 100)
        out: Params = {"events": events[start : start + limit]}
        if start + limit < len(events):
            out["nextToken"] = str(start + limit)
        return out

    def describe_state_machine_for_execution(self, p: Params) -> Params:
        row = self._row(p.get("executionArn", ""))
        described = self.describe_state_machine({"stateMachineArn": row["machine"]})
        return {k: described[k] for k in ("stateMachineArn", "name", "definition", "roleArn")} | {
            "updateDate": described["creationDate"]
        }

    def stop_execution(self, p: Params) -> Params:
        arn = p.get("executionArn", "")
        row = self._row(arn)
        error, cause = p.get("error"), p.get("cause")
        now = self.clock()
        if row["status"] != "RUNNING":
            return {"stopDate": now}
        stopped = self.interpreter.stop(arn, error, cause)
        # Recorded at once (launched or not yet), as AWS answers: ABORTED from now on.
        history = None if stopped is None else json.dumps(self._aborted_history(stopped, now))
        with self.store.write() as db:
            db.execute(
                "UPDATE sfn_executions SET status = 'ABORTED', stopped = ?, error = ?, "
                "cause = ?, history = COALESCE(?, history) WHERE arn = ? AND status = 'RUNNING'",
                (now, error, cause, history, arn),
            )
        return {"stopDate": now}

    def _aborted_history(self, execution: LocalExecution, now: float) -> list[dict[str, Any]]:
        events = self._history(execution)
        if not events or events[-1]["type"] != "ExecutionAborted":
            last = events[-1]["id"] if events else 0
            events.append(
                {
                    "id": last + 1,
                    "previousEventId": last,
                    "timestamp": now,
                    "type": "ExecutionAborted",
                    "executionAbortedEventDetails": {},
                }
            )
        return events

    def send_task_success(self, p: Params) -> Params:
        output = p.get("output", "")
        try:
            json.loads(output)
        except (TypeError, ValueError):
            raise AwsError("InvalidOutput", "Invalid Output: the output is not JSON") from None
        self.interpreter.succeed(p.get("taskToken", ""), output)
        return {}

    def send_task_failure(self, p: Params) -> Params:
        self.interpreter.fail(p.get("taskToken", ""), p.get("error"), p.get("cause"))
        return {}

    def send_task_heartbeat(self, p: Params) -> Params:
        self.interpreter.heartbeat(p.get("taskToken", ""))
        return {}

    def redrive_execution(self, p: Params) -> Params:
        now = self.clock()
        with self.store.write() as db:
            row = records.execution(db, p.get("executionArn", ""))
            if row is None:
                raise AwsError("ExecutionDoesNotExist", "Execution Does Not Exist")
            restarts.check_redrivable(row, now)
            restarts.mark_redriven(db, row, now)
            self.store.after_commit(functools.partial(self._launching.put, row["arn"]))
        return {"redriveDate": now}

    # ----- the stack's own ----------------------------------------------------------------
    def resume(self) -> list[str]:
        """Run again every execution the store says is running but nothing runs (the stack
        stopped or died under it), as ``restarts`` says. Answers the ARNs restarted."""
        now = self.clock()
        with self.store.write() as db:
            stranded = [r for r in records.running(db) if not self.interpreter.live(r["arn"])]
            for row in stranded:
                restarts.mark_redriven(db, row, now)
                self.store.after_commit(functools.partial(self._launching.put, row["arn"]))
        return [r["arn"] for r in stranded]

    def stop(self) -> None:
        """Keep what the running executions did so far (they restart at the next start)."""
        live = self.interpreter.running()
        with self.store.write() as db:
            for execution in live:
                db.execute(
                    "UPDATE sfn_executions SET history = ? WHERE arn = ? AND status = 'RUNNING'",
                    (json.dumps(self._history(execution)), execution.exec_arn),
                )
        self._stopped = True
        self._launching.put(None)
        self.interpreter.stop_all()


def _check_input(text: str) -> None:
    if len(text.encode()) > MAX_INPUT:
        raise AwsError(
            "InvalidExecutionInput",
            f"Input exceeds the maximum size of {MAX_INPUT} bytes",
        )
    try:
        json.loads(text)
    except ValueError:
        raise AwsError("InvalidExecutionInput", "Invalid State Machine Execution Input") from None


def _generated_name(now: float) -> str:
    import uuid

    return f"{time.strftime('%Y%m%dT%H%M%S', time.gmtime(now))}-{uuid.uuid4().hex[:12]}"


def _without_data(event: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for key, value in event.items():
        if isinstance(value, dict):
            value = {k: v for k, v in value.items() if k not in ("input", "output", "parameters")}
        out[key] = value
    return out


def _moto_error(refused: Exception) -> AwsError:
    code = getattr(refused, "code", None) or type(refused).__name__
    message = getattr(refused, "message", None) or str(refused)
    return AwsError(str(code), str(message))
