"""The local Secrets Manager through boto3 and Powertools Parameters, on a loopback port."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aws_lambda_powertools.utilities.parameters import SecretsProvider
from botocore.exceptions import ClientError

from infra.local.dataplane.secrets import SecretsManager
from infra.local.dataplane.store import Store
from tests.support.dataplane import served


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    return tmp_path / "state.sqlite"


@pytest.fixture
def client(store_path: Path) -> Iterator[Any]:
    store = Store(store_path)
    with served([SecretsManager(store)]) as endpoint:
        yield endpoint.client("secretsmanager")
    store.close()


def test_a_created_secret_reads_back_by_name_and_by_arn(client: Any) -> None:
    made = client.create_secret(Name="orderflow-local/stripe", SecretString="sk_test_1")
    assert made["ARN"].startswith("arn:aws:secretsmanager:us-east-1:123456789012:secret:")
    assert made["ARN"].rsplit(":", 1)[1].startswith("orderflow-local/stripe-")
    for secret_id in ("orderflow-local/stripe", made["ARN"]):
        got = client.get_secret_value(SecretId=secret_id)
        assert got["SecretString"] == "sk_test_1"
        assert got["VersionStages"] == ["AWSCURRENT"]


def test_a_put_value_replaces_the_current_one(client: Any) -> None:
    client.create_secret(Name="key", SecretString="old")
    put = client.put_secret_value(SecretId="key", SecretString="new")
    assert client.get_secret_value(SecretId="key")["VersionId"] == put["VersionId"]
    assert client.get_secret_value(SecretId="key")["SecretString"] == "new"
    described = client.describe_secret(SecretId="key")
    assert described["VersionIdsToStages"] == {put["VersionId"]: ["AWSCURRENT"]}


def test_errors_are_the_ones_aws_answers(client: Any) -> None:
    with pytest.raises(ClientError) as missing:
        client.get_secret_value(SecretId="nothing")
    assert missing.value.response["Error"]["Code"] == "ResourceNotFoundException"
    client.create_secret(Name="twice")
    with pytest.raises(ClientError) as exists:
        client.create_secret(Name="twice", SecretString="x")
    assert exists.value.response["Error"]["Code"] == "ResourceExistsException"
    with pytest.raises(ClientError) as no_value:  # created without a value: none to read yet
        client.get_secret_value(SecretId="twice")
    assert no_value.value.response["Error"]["Code"] == "ResourceNotFoundException"
    assert [s["Name"] for s in client.list_secrets()["SecretList"]] == ["twice"]


def test_powertools_parameters_reads_it(client: Any) -> None:
    client.create_secret(Name="whsec", SecretString="whsec_abc")
    assert SecretsProvider(boto3_client=client).get("whsec") == "whsec_abc"


def test_a_secret_survives_a_restart(store_path: Path) -> None:
    store = Store(store_path)
    SecretsManager(store).call("CreateSecret", {"Name": "kept", "SecretString": "v1"})
    store.close()
    again = Store(store_path)
    assert again.restored
    value = SecretsManager(again).call("GetSecretValue", {"SecretId": "kept"})
    assert value["SecretString"] == "v1"
    again.close()
