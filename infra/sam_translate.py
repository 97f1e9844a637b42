"""Translate the SAM template into plain CloudFormation offline: no AWS call, no credentials.

The tests check the translation (policies, event source mappings, the API's routes) and the
local stack builds its resources from it. What ``sam package`` would upload is replaced here:
- a function's local ``CodeUri`` becomes a placeholder S3 location (the code is not needed);
- a state machine's local ``DefinitionUri`` is read and inlined as ``Definition``, so the
  translation carries the real ASL with its ``DefinitionSubstitutions``.
"""

from __future__ import annotations

import copy
import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

TEMPLATE = Path(__file__).resolve().parent / "template.yaml"
PLACEHOLDER_BUCKET = "orderflow-local-artifacts"
DEFAULT_REGION = "us-east-1"
DEFAULT_ACCOUNT_ID = "123456789012"


class TranslationError(ValueError):
    """The template is not valid SAM; the message lists every cause the translator gave."""


class _OfflinePolicyLoader:
    """Stands in for samtranslator's ManagedPolicyLoader, which calls iam:ListPolicies.

    Only AWS managed policies named in a function's ``Policies`` by name need the map; the
    template uses SAM policy templates and inline statements, which do not.
    """

    def load(self) -> dict[str, str]:
        return {}


class _CfnLoader(yaml.SafeLoader):
    """YAML with CloudFormation's short-form tags (``!Ref``, ``!Sub``, ``!GetAtt`` ...)."""


def _intrinsic(loader: _CfnLoader, suffix: str, node: yaml.Node) -> dict[str, Any]:
    name = suffix if suffix in ("Ref", "Condition") else f"Fn::{suffix}"
    value: Any
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
        if suffix == "GetAtt":
            value = str(value).split(".", 1)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    return {name: value}


_CfnLoader.add_multi_constructor("!", _intrinsic)


def load_template(path: str | os.PathLike[str] = TEMPLATE) -> dict[str, Any]:
    """The SAM template as a dict, intrinsics in their long form."""
    with open(path, encoding="utf-8") as stream:
        document = yaml.load(stream, Loader=_CfnLoader)  # noqa: S506  # SafeLoader subclass
    if not isinstance(document, dict) or "Resources" not in document:
        raise TranslationError(f"{path}: not a CloudFormation/SAM template")
    return document


def translate(
    template_path: str | os.PathLike[str] = TEMPLATE,
    *,
    region: str = DEFAULT_REGION,
    account_id: str = DEFAULT_ACCOUNT_ID,
    parameters: Mapping[str, Any] | None = None,
    allow_missing_definitions: bool = False,
) -> dict[str, Any]:
    """Return the CloudFormation that ``sam deploy`` would hand to CloudFormation.

    ``allow_missing_definitions`` lets a state machine whose ASL file does not exist yet
    translate with a placeholder S3 location instead of its definition (for checks that do
    not read the workflow); by default a missing file is an error.
    """
    path = Path(template_path).resolve()
    sam = _localise(load_template(path), path.parent, allow_missing_definitions)
    # samtranslator reads the region from the environment in places (ARN partitions).
    os.environ.setdefault("AWS_DEFAULT_REGION", region)
    from samtranslator.public.exceptions import InvalidDocumentException
    from samtranslator.translator.transform import transform

    values = {
        "AWS::Region": region,
        "AWS::AccountId": account_id,
        "AWS::Partition": "aws",
        **(parameters or {}),
    }
    try:
        result: dict[str, Any] = transform(sam, values, _OfflinePolicyLoader())
    except InvalidDocumentException as error:
        causes = "; ".join(str(cause) for cause in error.causes)
        raise TranslationError(f"{path}: {causes}") from error
    return result


def _localise(sam: dict[str, Any], base: Path, allow_missing: bool) -> dict[str, Any]:
    """Stand in for ``sam package``: placeholder code locations, inlined ASL definitions."""
    sam = copy.deepcopy(sam)
    function_globals = (sam.get("Globals") or {}).get("Function") or {}
    if isinstance(function_globals.get("CodeUri"), str):
        function_globals["CodeUri"] = _placeholder_uri(function_globals["CodeUri"])
    for logical_id, resource in sam["Resources"].items():
        props = resource.get("Properties") or {}
        kind = resource.get("Type")
        if kind == "AWS::Serverless::Function" and isinstance(props.get("CodeUri"), str):
            props["CodeUri"] = _placeholder_uri(props["CodeUri"])
        elif (
            kind == "AWS::Serverless::StateMachine"
            and isinstance(props.get("DefinitionUri"), str)
            and not props["DefinitionUri"].startswith("s3://")
        ):
            definition = base / props["DefinitionUri"]
            if definition.is_file():
                props["Definition"] = json.loads(definition.read_text(encoding="utf-8"))
                del props["DefinitionUri"]
            elif allow_missing:
                props["DefinitionUri"] = _placeholder_uri(props["DefinitionUri"])
            else:
                raise FileNotFoundError(f"{logical_id}: DefinitionUri {definition} not found")
    return sam


def _placeholder_uri(local_path: str) -> str:
    if local_path.startswith("s3://"):
        return local_path
    return f"s3://{PLACEHOLDER_BUCKET}/{Path(local_path).name}"


def resources_of_type(cfn: Mapping[str, Any], cfn_type: str) -> dict[str, dict[str, Any]]:
    """Logical id -> resource, for every resource of one type in a translated template."""
    return {k: v for k, v in (cfn.get("Resources") or {}).items() if v.get("Type") == cfn_type}


if __name__ == "__main__":  # python -m infra.sam_translate > build/template.cfn.json
    print(json.dumps(translate(allow_missing_definitions=True), indent=1, sort_keys=True))
