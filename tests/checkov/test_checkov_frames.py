"""Canary of support_role/checkov_glue/frames.py: Checkov's runners still hold what it looks for.

Checkov hands a ``.tf.json`` check no graph and a CloudFormation or serverless check only its own
resource; the glue finds the graph and the template in the runners' frames. A probe check, loaded
by the real Checkov CLI beside a template, a serverless file and a ``.tf.json`` file, asks
``frames`` from the same depth as the glue does and PASSES only when it finds them (the template
that holds the very resource object, the graph with the resource in it). A Checkov release that
stops holding them fails this test, naming the runner, before users see attachments go unread.
"""

from __future__ import annotations

import json
from pathlib import Path

from tests.support.checkov import run_cli

PROBE = '''
from checkov.cloudformation.checks.resource.base_resource_check import BaseResourceCheck as CfnCheck
from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck as TfCheck

from support_role.checkov_glue import frames


def _template(conf, logical_id):  # called from scan_resource_conf, as cloudformation_outcome is
    return frames.find_template(conf, logical_id, frames.caller())


def _graph():  # called from scan_resource_conf, as terraform_outcome is
    return frames.find_local_graph(frames.caller())


class TemplateProbe(CfnCheck):
    def __init__(self):
        super().__init__(name="frames probe", id="CKV_CISSRPROBE_1", categories=[CheckCategories.IAM],
                         supported_resources=["AWS::IAM::Role"])

    def scan_resource_conf(self, conf):
        found = _template(conf, self.entity_path.rsplit(":", 1)[-1])
        return CheckResult.PASSED if found is not None and found[1] != "template" else CheckResult.FAILED


class GraphProbe(TfCheck):
    def __init__(self):
        super().__init__(name="frames probe", id="CKV_CISSRPROBE_2", categories=[CheckCategories.IAM],
                         supported_resources=["aws_iam_role"])

    def scan_resource_conf(self, conf):
        found = _graph()
        names = set()
        for block in found.blocks if found is not None else ():
            attrs = block.get_attribute_dict() if hasattr(block, "get_attribute_dict") else {}
            names.add(attrs.get("__address__"))
        return CheckResult.PASSED if "aws_iam_role.support" in names else CheckResult.FAILED


checks = [TemplateProbe(), GraphProbe()]
'''

TEMPLATE = """
Resources:
  Support:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument: {Statement: [{Effect: Allow, Action: sts:AssumeRole, Principal: {AWS: "*"}}]}
"""
SERVERLESS = """
service: probe
provider: {name: aws}
resources:
  Resources:
    Support:
      Type: AWS::IAM::Role
      Properties:
        AssumeRolePolicyDocument: {Statement: [{Effect: Allow, Action: sts:AssumeRole, Principal: {AWS: "*"}}]}
"""
TF_JSON = {"resource": {"aws_iam_role": {"support": {"name": "support", "assume_role_policy": "{}"}}}}


def test_the_runners_still_hold_the_template_and_the_graph_where_frames_looks(tmp_path: Path) -> None:
    probe = tmp_path / "probe"
    probe.mkdir()
    (probe / "__init__.py").write_text("", encoding="utf-8")
    (probe / "frames_probe.py").write_text(PROBE, encoding="utf-8")
    scanned = tmp_path / "scanned"
    (scanned / "cfn").mkdir(parents=True)
    (scanned / "cfn" / "template.yaml").write_text(TEMPLATE, encoding="utf-8")
    (scanned / "sls").mkdir()
    (scanned / "sls" / "serverless.yml").write_text(SERVERLESS, encoding="utf-8")
    (scanned / "tf").mkdir()
    (scanned / "tf" / "main.tf.json").write_text(json.dumps(TF_JSON), encoding="utf-8")
    run = run_cli(
        ["-d", str(scanned), "--external-checks-dir", str(probe), "--skip-download",
         "--framework", "cloudformation", "serverless", "terraform_json",
         "-c", "CKV_CISSRPROBE_1,CKV_CISSRPROBE_2", "-o", "json"],
    )  # fmt: skip
    data = run.json()
    reports = data if isinstance(data, list) else [data]
    got = {
        (report["check_type"], record["check_id"], status)
        for report in reports
        for status, key in (("PASSED", "passed_checks"), ("FAILED", "failed_checks"))
        for record in report["results"][key]
    }
    assert got == {
        ("cloudformation", "CKV_CISSRPROBE_1", "PASSED"),  # the template, with its file
        ("serverless", "CKV_CISSRPROBE_1", "PASSED"),
        ("terraform_json", "CKV_CISSRPROBE_2", "PASSED"),  # local_graph, holding the role
    }, run.stderr[-3000:]
