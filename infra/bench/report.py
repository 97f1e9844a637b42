"""results.json -> a markdown report (the tables docs/performance.md shows)."""

from __future__ import annotations

from typing import Any

COST_ROWS = (
    "lambda",
    "step_functions",
    "dynamodb",
    "eventbridge",
    "sqs",
    "api_gateway",
    "cloudwatch_logs",
)


def _table(header: list[str], rows: list[list[Any]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return lines + ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]


def _ok(flag: Any) -> str:
    return "yes" if flag else "**no**"


def render(results: dict[str, Any]) -> str:
    meta = results["meta"]
    out = [
        f"# OrderFlow benchmarks, {meta['date']}",
        "",
        f"{meta['cores']} cores, Python {meta['python']}, {meta['platform']}"
        + (" — **smoke run: figures are not measurements**" if meta["smoke"] else ""),
        "",
    ]
    for part, render_part in (
        ("cold", _cold),
        ("cold_stripe", _cold),
        ("warm", _warm),
        ("dispatch", _dispatch),
        ("e2e", _e2e),
        ("workflow", _workflow),
        ("crash", _crash),
        ("restore", _restore),
        ("peer", _peer),
        ("package", _package),
        ("cost", _cost),
        ("console", _console),
    ):
        if part not in results:
            continue
        data = results[part]
        if data.get("status") in ("error", "skipped"):
            why = data.get("error") or data.get("reason")
            out += [f"## {part}", "", f"{data['status']}: {why}", ""]
            continue
        out += [*render_part(data), ""]
    return "\n".join(out)


def _cold(d: dict[str, Any]) -> list[str]:
    base = d["baseline"]
    counted = d.get("judged_on") == "instructions"
    rows = []
    for name, h in {**d.get("references", {}), **d["handlers"]}.items():
        row = [
            name,
            h["import_ms_median"],
            h["first_use_ms_median"],
            h["ratio"],
            h["first_use_ratio"],
        ]
        if counted:
            row += [f"**{h['ir_ratio']}**", f"**{h['ir_first_use_ratio']}**"]
        row += [", ".join(h.get("first_use_outcomes", [])), _packages(h)]
        rows.append(row)
    header = ["Function", "Import ms", "Import + first use ms", "Import ratio", "First-use ratio"]
    if counted:
        header += ["Import ratio (instructions)", "First-use ratio (instructions)"]
    header += ["First use answered", "Heaviest packages at import (self ms)"]
    ir = f", {base['instructions']:,} instructions" if counted else ""
    paying = " of the paying functions with Stripe" if d.get("payments") == "stripe" else ""
    lines = [
        f"## Cold start{paying} (median of {d['runs']} interleaved runs; "
        f"judged on {d['judged_on']})",
        "",
        f"Baseline `import boto3`: {base['import_ms_median']} ms{ir}. Targets: import <= "
        f"{d['target_ratio']} (stretch {d['stretch_ratio']}), import + first use <= "
        f"{d['first_use_target_ratio']}; worst {d['max_ratio']} / {d['max_first_use_ratio']}: "
        f"meets targets {_ok(d['meets_target'])}.",
        "",
    ]
    lines += _table(header, rows)
    lines += ["", "Top 10 imports by self time (ms):", ""]
    for name, h in d["handlers"].items():
        mods = ", ".join(f"{m['module']} {m['self_ms']}" for m in h["heaviest_imports"]["modules"])
        lines.append(f"- {name}: {mods}")
    for name, error in d.get("errors", {}).items():
        lines.append(f"- {name}: **{error}**")
    return lines


def _packages(h: dict[str, Any]) -> str:
    return ", ".join(
        f"{p['package']} {p['self_ms']}" for p in h["heaviest_imports"]["packages"][:4]
    )


def _warm(d: dict[str, Any]) -> list[str]:
    rows = []
    for name, c in d["cases"].items():
        if "error" in c:
            rows.append([name, "error", c["error"], "", "", "", "", "", ""])
            continue
        h, x = c["handler"], c["direct"]
        rows.append(
            [
                name,
                h["p50_ms"],
                h["p99_ms"],
                x["p50_ms"],
                x["p99_ms"],
                c["overhead_p50_ms"],
                f"**{c['overhead_p99_ms']}**",
                c.get("overhead_p99_block_median_ms", ""),
                c.get("log_bytes_per_call", ""),
            ]
        )
    lines = [
        f"## Warm overhead ({d['calls']} calls per side, in-memory adapters, tracing "
        f"{d['tracing']})",
        "",
        f"Target: overhead p99 <= {d['target_p99_ms']} ms; worst "
        f"{d['max_overhead_p99_ms']} ms: meets target {_ok(d['meets_target'])}.",
        "",
    ]
    control = d.get("control") or {}
    if "overhead_p99_ms" in control:
        lines += [
            f"Noise control: the same ~{control['direct']['p50_ms']} ms of work on both sides "
            f"shows an 'overhead' of {control['overhead_p50_ms']} ms at p50 and "
            f"{control['overhead_p99_ms']} ms at p99 (p99 {control['handler']['p99_ms']} vs "
            f"{control['direct']['p99_ms']} ms; median of 5 blocks "
            f"{control.get('overhead_p99_block_median_ms')} ms): differences of that size are "
            "this machine's scheduling noise, not the handlers.",
            "",
        ]
    return lines + _table(
        [
            "Case",
            "Handler p50 ms",
            "Handler p99 ms",
            "Direct p50 ms",
            "Direct p99 ms",
            "Overhead p50 ms",
            "Overhead p99 ms",
            "Overhead p99, median of 5 blocks",
            "Log B/call",
        ],
        rows,
    )


def _target(value: Any, limit: float, above: bool = False) -> str:
    if value is None:
        return "-"
    met = value >= limit if above else value <= limit
    return f"**{value}** ({'meets' if met else 'misses'} {'>=' if above else '<='} {limit:g})"


def _e2e(d: dict[str, Any]) -> list[str]:
    t = d.get("targets") or {}
    memory = d.get("memory") or {}
    end, mark = memory.get("end") or {}, memory.get("mark") or {}
    persistence = d.get("persistence") or {}
    rows: list[list[Any]] = [
        [
            "Orders (clients)",
            f"{d['orders']} ({d['concurrency']}), after {d['warmup_orders']} warm-up orders",
        ],
        ["Machine cores", d["cores"]],
        ["Reached a terminal state / succeeded", f"{d['terminal']} / {d['succeeded']}"],
        [
            "Answers 5xx / 504 / transport errors",
            f"{d['answers_5xx']} / {d['answers_504']} / {d['transport_errors']}",
        ],
        ["Orders without exactly one execution", len(d["orders_with_other_than_one_execution"])],
        [
            "Orders per second, POST to terminal",
            _target(d.get("orders_per_s"), t.get("orders_per_s", 20), above=True),
        ],
        ["POST /orders p50 ms", _target(d.get("post_p50_ms"), t.get("post_p50_ms", 50))],
        [
            "POST /orders p95 / p99 ms",
            f"{d.get('post_p95_ms')} / " + _target(d.get("post_p99_ms"), t.get("post_p99_ms", 300)),
        ],
        [
            "POST p50, last 50 / first 50 orders",
            f"{d.get('post_p50_last_ms')} / {d.get('post_p50_first_ms')} ms = "
            + _target(d.get("post_p50_growth"), t.get("post_p50_growth", 1.2)),
        ],
        [
            "Order to terminal p50 / p95 s",
            f"{d.get('order_to_terminal_p50_s')} / {d.get('order_to_terminal_p95_s')}",
        ],
        [
            "Stack RSS after the run (processes)",
            f"{_target(d.get('rss_mib_after'), t.get('rss_mib_after', 1024))} MiB "
            f"({end.get('processes')}; PSS {d.get('pss_mib_after')} MiB, the stack's own "
            f"{end.get('stack_rss_mib')} MiB)",
        ],
        [
            "RSS after the run / after 100 orders",
            f"{end.get('rss_mib')} / {mark.get('rss_mib')} MiB = "
            + _target(d.get("rss_growth"), t.get("rss_growth", 1.5)),
        ],
        ["State", "on disk" if d.get("persist") else "in memory"],
        ["Stack start-up s", d["stack_startup_s"]],
    ]
    if persistence.get("cost") is not None:
        rows.append(
            [
                "Persistence: orders/s on disk / in memory",
                f"{persistence['orders_per_s_on']} / {persistence['orders_per_s_off']}: costs "
                + _target(persistence["cost"], persistence.get("target_cost", 0.1)),
            ]
        )
    errors = [f"- {e}" for e in d.get("errors", [])[:20]]
    errors += [
        f"- order {order_id}: {v['execution']} after {' -> '.join(v['states'])}"
        f" ({', '.join(v['errors']) or 'no error recorded'})"
        for order_id, v in list((d.get("not_succeeded") or {}).items())[:20]
    ]
    return [
        "## Local end-to-end (data plane + a sandbox process per function, loopback)",
        "",
        *_table(["Measure", "Value"], rows),
        *errors,
    ]


def _dispatch(d: dict[str, Any]) -> list[str]:
    return [
        "## Local Lambda dispatch (no-op handler, warm sandbox)",
        "",
        f"{d['calls']} invokes: overhead p50 "
        + _target(d["overhead_p50_ms"], d.get("target_ms", 1.0))
        + f" ms, p99 {d['overhead_p99_ms']} ms; a cold start's init {d['cold_start_init_ms']} ms.",
    ]


def _crash(d: dict[str, Any]) -> list[str]:
    rows = [
        ["Orders answered 201 before the SIGKILL", d["answered_before_kill"]],
        ["Requests in flight at the kill", d["requests_in_flight_at_kill"]],
        ["Restarted stack ready s", d["restart_ready_s"]],
        ["Answered orders terminal after the restart", d["terminal_after_restart"]],
        [
            "All terminal within s of the restart",
            _target(d["all_terminal_within_s"], d.get("target_s", 60)),
        ],
        [
            "Missing / two executions / none / over-captured",
            f"{d['missing_after_restart']} / {d['orders_with_two_executions']} / "
            f"{d['orders_with_no_execution']} / {d['orders_over_captured']}",
        ],
    ]
    return [
        "## A crash with orders in flight (SIGKILL, restart)",
        "",
        *_table(["Measure", "Value"], rows),
    ]


def _restore(d: dict[str, Any]) -> list[str]:
    return [
        f"## Restore of a state with {d['orders']} orders ({d['state_mib']} MiB)",
        "",
        f"Start-up {d['startup_restored_s']} s on it, {d['startup_empty_s']} s on an empty state: "
        "adds " + _target(d["added_s"], d.get("target_added_s", 5.0)) + " s.",
    ]


def _peer(d: dict[str, Any]) -> list[str]:
    rows = [
        [op, o["ours_per_s"], o["peer_per_s"], _target(o["ratio"], 1.0, above=True)]
        for op, o in d["operations"].items()
    ]
    return [
        f"## Data plane vs MiniStack (one client, {d['rounds']} interleaved rounds of "
        f"{d['calls_per_block']} calls)",
        "",
        *_table(["Operation", "ours calls/s", "MiniStack calls/s", "ratio"], rows),
    ]


def _workflow(d: dict[str, Any]) -> list[str]:
    suite = d.get("suite") or {}
    rows: list[list[Any]] = [
        ["Happy path states", " -> ".join(d.get("happy_path_states") or [])],
        [
            "State transitions per execution (from history)",
            f"**{d.get('transitions_per_execution')}** (min {d.get('transitions_min')}, "
            f"max {d.get('transitions_max')}, {d.get('executions')} executions)",
        ],
        ["History events per execution", d.get("history_events_per_execution")],
        [
            "Workflow path suite",
            f"{suite.get('seconds', '-')} s ({suite.get('summary', '')})"
            if suite
            else "not run (smoke)",
        ],
    ]
    return ["## Workflow", "", *_table(["Measure", "Value"], rows)]


def _package(d: dict[str, Any]) -> list[str]:
    largest = ", ".join(f"{k} {v}" for k, v in d["largest_mb"].items())
    rows = [
        ["Zipped MB", f"**{d['zip_mb']}**"],
        ["Unzipped MB", f"**{d['unzipped_mb']}** (Lambda limit {d['unzipped_limit_mb']:g})"],
        ["Files", d["files"]],
        ["Platform / Python", f"{', '.join(d['platforms'] or [])} / {d['python_version']}"],
        ["Bytecode compiled ahead", d["bytecode"]],
        ["Largest (MB)", largest],
    ]
    built = "built in this run" if d.get("built") else "read from the last build"
    return [f"## Package ({built}: {d['report']})", "", *_table(["Measure", "Value"], rows)]


def _cost(d: dict[str, Any]) -> list[str]:
    designs = d["designs"]
    names = list(designs)
    rows = [[row] + [designs[n]["per_million_orders"][row] for n in names] for row in COST_ROWS]
    rows.append(["**total**"] + [f"**{designs[n]['total_per_million']}**" for n in names])
    rows.append(
        ["x-ray (optional)"] + [designs[n]["per_million_orders"]["xray_optional"] for n in names]
    )
    rows.append(["total with x-ray"] + [designs[n]["total_with_xray_per_million"] for n in names])
    i = d["inputs"]
    fn_rows = [
        [
            n,
            f["memory_mb"],
            round(f["invocations_per_order"], 2),
            round(f["duration_ms"], 2),
            f.get("stack_duration_ms", ""),
        ]
        for n, f in i["functions"].items()
        if f["invocations_per_order"]
    ]
    lines = [
        f"## Cost, $ per million orders ({d['prices']['region']} list prices as of "
        f"{d['prices']['as_of']}; inputs {i['source']})",
        "",
        f"Target: shipped design <= ${d['target_per_million']:g} all-in: {_ok(d['meets_target'])}.",
        "",
    ]
    lines += _table(["Service", *names], rows)
    lines += [
        "",
        "Sensitivity: Lambda would cost "
        f"${designs[names[0]].get('lambda_if_100ms_per_invocation', '-')} per million orders "
        "if every invocation took 100 ms at its memory size.",
    ]
    lines += [
        "",
        "Step Functions per design: "
        + "; ".join(f"{n}: {designs[n]['step_functions_note']}" for n in names),
        "",
        f"Per order: {i['transitions_per_order']:g} transitions, "
        f"{round(i['wru_per_order'], 1)} WRU, {round(i['rru_per_order'], 1)} RRU, "
        f"{round(i['events_per_order'], 2)} events, {i['sqs_requests_per_order']:g} SQS requests,"
        f" {round(i['api_requests_per_order'], 2)} API requests.",
        "",
        "WRU per order by item: "
        + (", ".join(f"{k} {v}" for k, v in i.get("wru_by_kind", {}).items()) or "-"),
        "",
    ]
    lines += _table(
        ["Function", "Memory MB", "Invocations/order", "Duration ms (cost)", "Local stack ms"],
        fn_rows,
    )
    return [*lines, "", *[f"- {a}" for a in i["assumptions"]]]


def _console(d: dict[str, Any]) -> list[str]:
    rows = [
        [name, flavour, p["aws_calls"], p["p50_ms"], p["p95_ms"], p["p99_ms"]]
        for flavour, measured in d["flavours"].items()
        for name, p in measured.items()
    ]
    return [
        f"## Operator console ({d['executions']} executions in moto, {d['requests_per_page']} "
        "requests per page over loopback HTTP)",
        "",
        f"Target: every page p50 < {d['target_p50_ms']:g} ms; worst p50 {d['worst_p50_ms']} ms: "
        f"meets target {_ok(d['meets_target'])}. moto answers in-process: on AWS add a round "
        "trip per AWS call.",
        "",
        *_table(["Page", "Stack", "AWS calls", "p50 ms", "p95 ms", "p99 ms"], rows),
    ]
