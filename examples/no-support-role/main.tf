# An account without a support role, although AWSSupportAccess seems to be everywhere:
#
# - a customer managed policy that someone named "AWSSupportAccess" is attached to a role
#   (tools that match the policy by name count this role; it is not the AWS managed policy);
# - the real AWSSupportAccess is attached to a user and to a group (CIS asks for a role);
# - a role has AWSSupportAccess as its permissions boundary (a boundary grants nothing).
#
# The account fails "a support role exists" (CKV_CISSR_1, CIS 1.17, Security Hub IAM.18), and the
# finding names each of these near misses.
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
  support_policy = "arn:${data.aws_partition.current.partition}:iam::aws:policy/AWSSupportAccess"
  alice          = "arn:${data.aws_partition.current.partition}:iam::${data.aws_caller_identity.current.account_id}:user/alice"
}

# This root module describes a whole account (see examples/well-configured).
resource "terraform_data" "cis_support_role_account_baseline" {}

resource "aws_iam_user" "alice" {
  name = "alice"
}

resource "aws_iam_user_policy_attachment" "alice_support" {
  user       = aws_iam_user.alice.name
  policy_arn = local.support_policy
}

resource "aws_iam_group" "support_team" {
  name = "support-team"
}

resource "aws_iam_group_policy_attachment" "support_team" {
  group      = aws_iam_group.support_team.name
  policy_arn = local.support_policy
}

resource "aws_iam_policy" "look_alike" {
  name = "AWSSupportAccess"
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "support:*", Resource = "*" }]
  })
}

resource "aws_iam_role" "look_alike" {
  name = "support-look-alike"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { AWS = local.alice }
      Condition = { Bool = { "aws:MultiFactorAuthPresent" = "true" } }
    }]
  })
}

resource "aws_iam_role_policy_attachment" "look_alike" {
  role       = aws_iam_role.look_alike.name
  policy_arn = aws_iam_policy.look_alike.arn
}

resource "aws_iam_role" "boundary_only" {
  name                 = "support-boundary-only"
  permissions_boundary = local.support_policy
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { AWS = local.alice }
      Condition = { Bool = { "aws:MultiFactorAuthPresent" = "true" } }
    }]
  })
}
