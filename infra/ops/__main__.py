"""``python -m infra.ops``: see infra/ops/cli.py."""

from infra.ops.cli import run

if __name__ == "__main__":
    run()
