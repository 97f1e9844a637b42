"""docs/operations.md and docs/data-model.md say what the CLI and the reconciler do, with the
names and numbers the code uses."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import yaml

from adapters.aws import keys
from domain.commands import Reconcile
from domain.services.reconcile import Repair
from handlers.common.settings import Settings
from infra.ops import cli

REPO = Path(__file__).resolve().parents[2]
OPERATIONS = (REPO / "docs" / "operations.md").read_text(encoding="utf-8")
DATA_MODEL = (REPO / "docs" / "data-model.md").read_text(encoding="utf-8")


class _Cfn(yaml.SafeLoader):
    pass


_Cfn.add_multi_constructor("!", lambda loader, suffix, node: None)
TEMPLATE = yaml.load((REPO / "infra" / "template.yaml").read_text(encoding="utf-8"), _Cfn)  # noqa: S506


def _subcommands() -> dict[str, argparse.ArgumentParser]:
    (sub,) = (a for a in cli.parser()._actions if isinstance(a, argparse._SubParsersAction))
    return dict(sub.choices)


def test_the_usage_block_names_every_command_with_flags_it_has() -> None:
    block = OPERATIONS.split("```", 2)[1]
    documented = {}
    for line in block.splitlines()[2:]:
        command, *rest = line.split()
        documented[command] = re.findall(r"--[a-z-]+", " ".join(rest))
    commands = _subcommands()
    assert set(documented) == set(commands)
    for command, flags in documented.items():
        known = {o for a in commands[command]._actions for o in a.option_strings}
        assert set(flags) <= known, command


def test_the_reconcile_section_states_the_codes_defaults() -> None:
    section = OPERATIONS.split("## `reconcile`", 1)[1].split("\n## ", 1)[0]
    quiet = int(Reconcile().quiet_for.total_seconds())
    assert f"default {quiet} seconds" in section
    assert Settings.model_fields["reconcile_quiet_seconds"].default == quiet
    reconciler = TEMPLATE["Resources"]["ReconcilerFunction"]["Properties"]
    assert reconciler["Environment"]["Variables"]["RECONCILE_QUIET_SECONDS"] == str(quiet)
    (schedule,) = reconciler["Events"].values()
    assert f"`{schedule['Properties']['Schedule']}`" in section
    assert {f"`{r.value}`" for r in Repair} <= set(re.findall(r"`[a-z]+`", section))
    handler = (REPO / "handlers" / "reconciler.py").read_text(encoding="utf-8")
    for metric in ("OrdersReconciled", "OrdersNeedingOperator"):
        assert f"`{metric}`" in section and f'name="{metric}"' in handler
    alarm = TEMPLATE["Resources"]["OrdersReconciledAlarm"]["Properties"]
    assert alarm["MetricName"] == "OrdersReconciled" and alarm["Namespace"] == "OrderFlow"
    assert "`orders-reconciled`" in section


def test_the_data_model_states_the_open_orders_index() -> None:
    assert f"each of the {keys.OPEN_SHARDS} shards" in DATA_MODEL
    assert f"modulo {keys.OPEN_SHARDS}" in DATA_MODEL
    (index,) = (
        i
        for i in TEMPLATE["Resources"]["OrdersTable"]["Properties"]["GlobalSecondaryIndexes"]
        if i["IndexName"] == keys.GSI2
    )
    attributes = ", ".join(f"`{a}`" for a in index["Projection"]["NonKeyAttributes"])
    assert f"projection `INCLUDE` {attributes}" in DATA_MODEL


def test_deploy_md_counts_the_alarms_and_the_throttles_alarm_metrics() -> None:
    deploy = (REPO / "docs" / "deploy.md").read_text(encoding="utf-8")
    resources = TEMPLATE["Resources"].values()
    alarms = [r for r in resources if r["Type"] == "AWS::CloudWatch::Alarm"]
    throttles = TEMPLATE["Resources"]["FunctionThrottlesAlarm"]["Properties"]["Metrics"]
    stats = [m for m in throttles if "MetricStat" in m]
    functions = [r for r in resources if r["Type"] == "AWS::Serverless::Function"]
    always = [f for f in functions if "Condition" not in f]  # an optional one: an alarm of its own
    assert len(stats) == len(always)  # every function's throttles
    assert f"{len(alarms)} alarms" in deploy
    assert f"billed for\nits {len(stats)} metrics" in deploy
    (schedule,) = TEMPLATE["Resources"]["ReconcilerFunction"]["Properties"]["Events"].values()
    rate = re.fullmatch(r"rate\((\d+) minutes\)", schedule["Properties"]["Schedule"])
    assert rate is not None
    minutes = int(rate[1])
    assert f"every {minutes} minutes ({30 * 24 * 60 // minutes:,} short invocations" in deploy
