"""Every rule's metadata, written once and used by both scanners, the CLI and the docs."""

from __future__ import annotations

from dataclasses import dataclass

from ._arn import SUPPORT_POLICY_NAME

# CIS AWS Foundations Benchmark: benchmark version -> number of "Ensure a support role has been
# created to manage incidents with AWS Support".
CIS_CONTROL: dict[str, str] = {
    "1.2.0": "1.20",
    "1.3.0": "1.17",
    "1.4.0": "1.17",
    "1.5.0": "1.17",
    "2.0.0": "1.17",
    "3.0.0": "1.17",
    "4.0.0": "1.17",
    "5.0.0": "1.16",
    "6.0.0": "2.16",
    "7.0.0": "2.15",
}
SECURITY_HUB_CONTROL = "IAM.18"
# The benchmark section that holds the control in every version above: "<major number> <title>"
# (section 1 up to v5.0, section 2 from v6.0; the number's first part is the section).
CIS_SECTION_TITLE = "Identity and Access Management"
CIS_TITLE = "Ensure a support role has been created to manage incidents with AWS Support"
DOCS_URL = "https://github.com/cis-support-role/cis-support-role/blob/main/README.md"
SUPPORT_SERVICES: tuple[str, ...] = ("support", "support-console", "supportapp", "supportplans", "trustedadvisor")


@dataclass(frozen=True)
class Remediation:
    text: str
    cli: str
    terraform: str
    cloudformation: str


@dataclass(frozen=True)
class RuleMeta:
    id: str
    number: int  # the N in CKV_CISSR_N; also orders the rules
    title: str
    description: str
    risk: str
    severity: str  # "low" | "medium" | "high" (Prowler's scale; Checkov upper-cases it)
    relation: str  # "control": the CIS text itself; "intent": what the control is for
    remediation: Remediation
    prowler_id: str
    resource_type: str = "AwsIamRole"

    @property
    def checkov_id(self) -> str:
        return f"CKV_CISSR_{self.number}"

    @property
    def anchor(self) -> str:
        """The README section that explains the rule (Checkov's guideline link)."""
        return f"{DOCS_URL}#{self.id}"

    def to_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "title": self.title,
            "severity": self.severity,
            "checkov_ids": [self.checkov_id],
            "prowler_id": self.prowler_id,
            "cis": dict(CIS_CONTROL),
            "security_hub": SECURITY_HUB_CONTROL,
            "relation": self.relation,
            "description": self.description,
            "risk": self.risk,
            "remediation": {
                "text": self.remediation.text,
                "cli": self.remediation.cli,
                "terraform": self.remediation.terraform,
                "cloudformation": self.remediation.cloudformation,
            },
            "guideline": self.anchor,
        }


_TF_ROLE = """data "aws_partition" "current" {}

resource "aws_iam_role" "support" {
  name = "aws-support"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { AWS = ["arn:${data.aws_partition.current.partition}:iam::111122223333:user/alice"] }
      Condition = { Bool = { "aws:MultiFactorAuthPresent" = "true" } }
    }]
  })
}

resource "aws_iam_role_policy_attachment" "support" {
  role       = aws_iam_role.support.name
  policy_arn = "arn:${data.aws_partition.current.partition}:iam::aws:policy/AWSSupportAccess"
}
"""

_CFN_ROLE = """SupportRole:
  Type: AWS::IAM::Role
  Properties:
    RoleName: aws-support
    AssumeRolePolicyDocument:
      Version: "2012-10-17"
      Statement:
        - Effect: Allow
          Action: sts:AssumeRole
          Principal:
            AWS: !Sub arn:${AWS::Partition}:iam::${AWS::AccountId}:user/alice
          Condition:
            Bool:
              aws:MultiFactorAuthPresent: "true"
    ManagedPolicyArns:
      - !Sub arn:${AWS::Partition}:iam::aws:policy/AWSSupportAccess
"""

_CLI_CREATE = (
    "aws iam create-role --role-name aws-support --assume-role-policy-document file://trust.json && "
    "aws iam attach-role-policy --role-name aws-support "
    "--policy-arn arn:<partition>:iam::aws:policy/AWSSupportAccess"
)

RULES: tuple[RuleMeta, ...] = (
    RuleMeta(
        id="support-role-exists",
        number=1,
        title="A support role exists to manage incidents with AWS Support (CIS, Security Hub IAM.18)",
        description=(
            f"At least one IAM role has the AWS managed policy {SUPPORT_POLICY_NAME} attached as a "
            "permissions policy (or a customer managed policy listed in support_role_support_policies). "
            "Users or groups holding the policy do not count, nor does a permissions boundary, a customer "
            "managed policy with the same name, or an unlisted customer policy with support permissions."
        ),
        risk=(
            "Without a designated support role nobody is clearly entitled to open and follow AWS Support "
            "cases during an incident, so response is slower, or people use broader admin access to reach "
            "Support, leaving no separate audit trail of support engagement."
        ),
        severity="low",
        relation="control",
        remediation=Remediation(
            text=(
                f"Create an IAM role trusted only by the named people who handle incidents, attach "
                f"arn:<partition>:iam::aws:policy/{SUPPORT_POLICY_NAME} to it, and let them assume it. If "
                "your support role holds a customer managed policy with support permissions instead, list "
                "that policy under support_role_support_policies."
            ),
            cli=_CLI_CREATE,
            terraform=_TF_ROLE,
            cloudformation=_CFN_ROLE,
        ),
        prowler_id="iam_cis_support_role_exists",
        resource_type="Other",
    ),
    RuleMeta(
        id="support-role-trust",
        number=2,
        title="Support roles are trusted only by specific people",
        description=(
            "Every principal that may assume a support role is a specific IAM user or role, a SAML provider, "
            "an Identity Center role, or an OIDC provider with a pinned subject; never a wildcard, a service, "
            "an account root or NotPrincipal. A '*' or root narrowed by aws:PrincipalArn trusts the users and "
            "roles it names (Identity Center wildcards allowed); aws:PrincipalOrgID alone names no one."
        ),
        risk=(
            "A support role trusted by '*', by a whole account, by a wildcard OIDC subject or by a service "
            "(which acts with the role for whoever uses the service, e.g. a whole chat channel) can be "
            "assumed by people who were never chosen to talk to AWS Support, who can then read and open "
            "support cases, including their attachments and account details, without a personal trail."
        ),
        severity="high",
        relation="intent",
        remediation=Remediation(
            text=(
                "Name the people in the trust policy by the full ARN of their IAM user or role (or your SAML "
                "or Identity Center federation), remove wildcards, services, account roots and NotPrincipal; "
                "or narrow an account root with an aws:PrincipalArn condition naming those users, roles or "
                "Identity Center permission-set roles; pin OIDC subjects to a repository and a branch or environment."
            ),
            cli=(
                "aws iam update-assume-role-policy --role-name <role> --policy-document file://trust.json "
                "# trust.json names arn:<partition>:iam::<account>:user/<name> for each person"
            ),
            terraform=_TF_ROLE,
            cloudformation=_CFN_ROLE,
        ),
        prowler_id="iam_cis_support_role_trusts_specific_principals",
    ),
    RuleMeta(
        id="support-role-least-privilege",
        number=3,
        title="Support roles grant nothing but AWS Support access",
        description=(
            f"A support role carries {SUPPORT_POLICY_NAME} and nothing outside the support family "
            "(support, support-console, supportapp, supportplans, trustedadvisor): no other managed policy "
            "unless allowed by configuration (support_role_allowed_policies), and no inline or customer "
            "policy allowing other actions than the patterns listed in support_role_allowed_actions."
        ),
        risk=(
            "Extra permissions on the support role turn the people allowed to open support cases into "
            "holders of unrelated privileges, a path to privilege escalation that reviews of the support "
            "role will not expect."
        ),
        severity="medium",
        relation="intent",
        remediation=Remediation(
            text=(
                "Detach every managed policy other than AWSSupportAccess from the support role and remove "
                "inline statements that allow actions outside the support family, or list a deliberate "
                "extra policy under support_role_allowed_policies and deliberate extra actions (such as "
                "health:Describe*) under support_role_allowed_actions."
            ),
            cli=(
                "aws iam detach-role-policy --role-name <role> --policy-arn <extra policy arn>; "
                "aws iam delete-role-policy --role-name <role> --policy-name <inline policy>"
            ),
            terraform=_TF_ROLE,
            cloudformation=_CFN_ROLE,
        ),
        prowler_id="iam_cis_support_role_least_privilege",
    ),
    RuleMeta(
        id="support-role-mfa",
        number=4,
        title="Support roles require MFA from principals with long-term IAM credentials",
        description=(
            "Every trust statement that lets IAM users, account roots not narrowed to roles, wildcards or "
            "NotPrincipal assume a support role requires MFA (Bool aws:MultiFactorAuthPresent true or "
            "NumericLessThan aws:MultiFactorAuthAge). Exempt: federated principals and statements only IAM "
            "or Identity Center roles can use (their sessions carry no MFA context)."
        ),
        risk=(
            "Without MFA, a leaked access key of a trusted user is enough to assume the support role and "
            "read or open support cases in the account's name."
        ),
        severity="low",
        relation="intent",
        remediation=Remediation(
            text=(
                'Add Condition {"Bool": {"aws:MultiFactorAuthPresent": "true"}} to each trust statement '
                "that names IAM users or account roots (BoolIfExists does not enforce MFA); keep roles in a "
                "statement of their own, which needs no MFA condition."
            ),
            cli="aws iam update-assume-role-policy --role-name <role> --policy-document file://trust-with-mfa.json",
            terraform=_TF_ROLE,
            cloudformation=_CFN_ROLE,
        ),
        prowler_id="iam_cis_support_role_requires_mfa",
    ),
)

RULES_BY_ID: dict[str, RuleMeta] = {rule.id: rule for rule in RULES}
EXISTS, TRUST, LEAST_PRIVILEGE, MFA = (rule.id for rule in RULES)
PER_ROLE_RULES: tuple[str, ...] = (TRUST, LEAST_PRIVILEGE, MFA)
