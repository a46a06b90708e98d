# One account done right: the CIS remediation, and its intent.
#
# - one support role, "aws-support", with the AWS managed policy AWSSupportAccess attached;
# - trusted only by the people who handle incidents, named by the full ARN of their IAM users;
# - they must have signed in with MFA to assume it;
# - it carries nothing else but support-family actions (support-console:* is what the Support
#   console needs since 2026, beside AWSSupportAccess).
#
# The provider configuration is not part of the example: scripts/demo adds one that points at a
# local moto server.

terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.0"
    }
  }
}

data "aws_partition" "current" {}
data "aws_caller_identity" "current" {}

locals {
  # The people who open and follow AWS Support cases during an incident.
  responders = ["alice", "bob"]
  account_id = data.aws_caller_identity.current.account_id
}

# This root module describes a whole account: Checkov may then decide "a support role exists"
# (CKV_CISSR_1) for it. Without this marker (or support_role_account_baseline_paths) Checkov
# judges the roles only, since a repository is rarely a whole account.
resource "terraform_data" "cis_support_role_account_baseline" {}

resource "aws_iam_user" "responder" {
  for_each = toset(local.responders)
  name     = each.key
}

resource "aws_iam_role" "support" {
  name        = "aws-support"
  description = "Opens and follows AWS Support cases during incidents"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid    = "NamedRespondersWithMfa"
      Effect = "Allow"
      Action = "sts:AssumeRole"
      Principal = {
        AWS = [
          "arn:${data.aws_partition.current.partition}:iam::${local.account_id}:user/alice",
          "arn:${data.aws_partition.current.partition}:iam::${local.account_id}:user/bob",
        ]
      }
      Condition = { Bool = { "aws:MultiFactorAuthPresent" = "true" } }
    }]
  })
  depends_on = [aws_iam_user.responder]
}

resource "aws_iam_role_policy_attachment" "support" {
  role       = aws_iam_role.support.name
  policy_arn = "arn:${data.aws_partition.current.partition}:iam::aws:policy/AWSSupportAccess"
}

resource "aws_iam_role_policy" "support_console" {
  name = "support-console"
  role = aws_iam_role.support.name
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = ["support-console:*", "supportapp:*"], Resource = "*" }]
  })
}

# Not a support role: the rules leave it alone.
resource "aws_iam_role" "app_server" {
  name = "app-server"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "ec2.amazonaws.com" } }]
  })
}
