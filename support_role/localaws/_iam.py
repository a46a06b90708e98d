"""Creating an account's IAM entities: a standard-library IAM client and the scenario seeder."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ElementTree
from collections.abc import Iterable, Mapping
from typing import Protocol

from ..scenarios import Scenario
from ._server import FAKE_CREDENTIALS


class IamError(RuntimeError):
    """An IAM error answer: ``code`` as AWS names it (``EntityAlreadyExists``, ``NoSuchEntity``...)."""

    def __init__(self, code: str, message: str, status: int) -> None:
        super().__init__(f"{code}: {message} (HTTP {status})")
        self.code = code
        self.message = message
        self.status = status


class IamWriter(Protocol):
    """The IAM calls :func:`seed_scenario` makes, with boto3's names and keyword arguments: a boto3
    IAM client is one, and so is :class:`IamQueryClient`."""

    def create_user(self, *, UserName: str) -> object: ...
    def create_policy(self, *, PolicyName: str, PolicyDocument: str) -> object: ...
    def attach_user_policy(self, *, UserName: str, PolicyArn: str) -> object: ...
    def create_group(self, *, GroupName: str) -> object: ...
    def attach_group_policy(self, *, GroupName: str, PolicyArn: str) -> object: ...
    def add_user_to_group(self, *, GroupName: str, UserName: str) -> object: ...
    def create_role(self, *, RoleName: str, AssumeRolePolicyDocument: str, Path: str = ..., **extra: str) -> object: ...
    def attach_role_policy(self, *, RoleName: str, PolicyArn: str) -> object: ...
    def put_role_policy(self, *, RoleName: str, PolicyName: str, PolicyDocument: str) -> object: ...


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


class IamQueryClient:
    """The IAM Query API (form-encoded POST, XML answers) of a local moto server, over plain HTTP.

    moto checks no signature; the ``Authorization`` header only carries the credential scope, whose
    region tells moto the partition (:func:`~support_role.localaws.region_for`). No retries: a call
    is sent once, so a create is never repeated behind the caller's back. Raises :class:`IamError`
    for an error answer and ``OSError`` (``urllib.error.URLError``) when the server cannot be reached.
    """

    def __init__(self, url: str, region: str = "us-east-1", *, timeout: float = 60.0) -> None:
        self.url = url.rstrip("/") + "/"
        self.region = region
        self.timeout = timeout

    def call(self, action: str, **params: str) -> ElementTree.Element:
        """One IAM action; returns the answer's ``<ActionResult>`` element (or the whole answer)."""
        body = urllib.parse.urlencode({"Action": action, "Version": "2010-05-08", **params}).encode()
        key = FAKE_CREDENTIALS["AWS_ACCESS_KEY_ID"]
        request = urllib.request.Request(
            self.url,
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/x-www-form-urlencoded; charset=utf-8",
                "Authorization": f"AWS4-HMAC-SHA256 Credential={key}/20260101/{self.region}/iam/aws4_request, "
                "SignedHeaders=host, Signature=0",
                "X-Amz-Date": "20260101T000000Z",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                root = ElementTree.fromstring(response.read())
        except urllib.error.HTTPError as error:
            raise self._error(error) from None
        result = next((child for child in root if _local(child.tag) == f"{action}Result"), None)
        return result if result is not None else root

    @staticmethod
    def _error(error: urllib.error.HTTPError) -> IamError:
        text = error.read().decode("utf-8", errors="replace")
        try:
            root = ElementTree.fromstring(text)
        except ElementTree.ParseError:
            return IamError("HTTP", text[:300], error.code)
        fields = {_local(node.tag): (node.text or "") for node in root.iter()}
        return IamError(fields.get("Code", "HTTP"), fields.get("Message", text[:300]), error.code)

    def create_user(self, *, UserName: str) -> object:
        return self.call("CreateUser", UserName=UserName)

    def create_policy(self, *, PolicyName: str, PolicyDocument: str) -> object:
        return self.call("CreatePolicy", PolicyName=PolicyName, PolicyDocument=PolicyDocument)

    def attach_user_policy(self, *, UserName: str, PolicyArn: str) -> object:
        return self.call("AttachUserPolicy", UserName=UserName, PolicyArn=PolicyArn)

    def create_group(self, *, GroupName: str) -> object:
        return self.call("CreateGroup", GroupName=GroupName)

    def attach_group_policy(self, *, GroupName: str, PolicyArn: str) -> object:
        return self.call("AttachGroupPolicy", GroupName=GroupName, PolicyArn=PolicyArn)

    def add_user_to_group(self, *, GroupName: str, UserName: str) -> object:
        return self.call("AddUserToGroup", GroupName=GroupName, UserName=UserName)

    def create_role(self, *, RoleName: str, AssumeRolePolicyDocument: str, Path: str = "/", **extra: str) -> object:
        return self.call(
            "CreateRole", RoleName=RoleName, AssumeRolePolicyDocument=AssumeRolePolicyDocument, Path=Path, **extra
        )

    def attach_role_policy(self, *, RoleName: str, PolicyArn: str) -> object:
        return self.call("AttachRolePolicy", RoleName=RoleName, PolicyArn=PolicyArn)

    def put_role_policy(self, *, RoleName: str, PolicyName: str, PolicyDocument: str) -> object:
        return self.call("PutRolePolicy", RoleName=RoleName, PolicyName=PolicyName, PolicyDocument=PolicyDocument)


def _json(document: Mapping[str, object]) -> str:
    return json.dumps(document)


def seed_scenario(iam: IamWriter, scenario: Scenario) -> None:
    """Create every user, customer managed policy, group (members, policies) and role (path, trust,
    attached and inline policies, permissions boundary) of ``scenario`` through ``iam``.

    The account ID is the server's (``MOTO_ACCOUNT_ID``); the partition is the one of the client's
    region, so make the client in ``region_for(scenario.partition)``.
    """
    for user in scenario.users:
        iam.create_user(UserName=user)
    for name, document in scenario.customer_policies.items():
        iam.create_policy(PolicyName=name, PolicyDocument=_json(document))
    for user, policies in scenario.user_policies.items():
        for arn in policies:
            iam.attach_user_policy(UserName=user, PolicyArn=arn)
    for group, policies in scenario.groups.items():
        iam.create_group(GroupName=group)
        for arn in policies:
            iam.attach_group_policy(GroupName=group, PolicyArn=arn)
        for member in scenario.group_members.get(group, ()):
            iam.add_user_to_group(GroupName=group, UserName=member)
    for role in scenario.roles:
        extra = {"PermissionsBoundary": role.boundary} if role.boundary else {}
        iam.create_role(RoleName=role.name, Path=role.path, AssumeRolePolicyDocument=_json(role.trust), **extra)
        for arn in role.policies:
            iam.attach_role_policy(RoleName=role.name, PolicyArn=arn)
        for policy_name, document in role.inline.items():
            iam.put_role_policy(RoleName=role.name, PolicyName=policy_name, PolicyDocument=_json(document))


FILLER_TRUST: Mapping[str, object] = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}],
}


def seed_filler_roles(iam: IamWriter, count: int, prefix: str = "app-", policies: Iterable[str] = ()) -> list[str]:
    """``count`` ordinary roles (no support policy) named ``<prefix>00000``..., to make an account large."""
    names = [f"{prefix}{i:05d}" for i in range(count)]
    attach = list(policies)
    for name in names:
        iam.create_role(RoleName=name, AssumeRolePolicyDocument=_json(FILLER_TRUST))
        for arn in attach:
            iam.attach_role_policy(RoleName=name, PolicyArn=arn)
    return names
