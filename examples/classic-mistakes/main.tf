# The classic mistakes, one support role each. Every one of these roles passes Prowler's
# built-in iam_support_role_created (it only asks whether AWSSupportAccess is attached to some
# role); each fails one of the cis-support-role rules, with the reason and the fix.
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
  partition      = data.aws_partition.current.partition
  account_id     = data.aws_caller_identity.current.account_id
  support_policy = "arn:${data.aws_partition.current.partition}:iam::aws:policy/AWSSupportAccess"
  alice          = "arn:${data.aws_partition.current.partition}:iam::${data.aws_caller_identity.current.account_id}:user/alice"
  mfa            = { Bool = { "aws:MultiFactorAuthPresent" = "true" } }
}

# This root module describes a whole account (see examples/well-configured).
resource "terraform_data" "cis_support_role_account_baseline" {}

resource "aws_iam_user" "alice" {
  name = "alice"
}

# 1. Wildcard trust: anyone with AWS credentials, in any account, may assume it.
resource "aws_iam_role" "wildcard_trust" {
  name = "support-wildcard-trust"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { AWS = "*" } }]
  })
  managed_policy_arns = [local.support_policy]
}

# 2. Service-only trust: "support.amazonaws.com" reads right, but the service, not a named person, acts with the role.
resource "aws_iam_role" "service_trust" {
  name = "support-service-trust"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "support.amazonaws.com" } }]
  })
  managed_policy_arns = [local.support_policy]
}

# 3. Admin beside support: whoever may open a case may also do everything else.
resource "aws_iam_role" "admin_beside_support" {
  name = "support-with-admin"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { AWS = local.alice }, Condition = local.mfa }]
  })
}

resource "aws_iam_role_policy_attachment" "admin_beside_support" {
  for_each   = toset([local.support_policy, "arn:${local.partition}:iam::aws:policy/AdministratorAccess"])
  role       = aws_iam_role.admin_beside_support.name
  policy_arn = each.value
}

# 4. No MFA: a leaked access key of alice is enough to assume it.
resource "aws_iam_role" "no_mfa" {
  name = "support-no-mfa"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { AWS = local.alice } }]
  })
}

resource "aws_iam_role_policy_attachment" "no_mfa" {
  role       = aws_iam_role.no_mfa.name
  policy_arn = local.support_policy
}

# 5. MFA "if it exists": BoolIfExists passes for access keys, which carry no MFA information.
resource "aws_iam_role" "mfa_if_exists" {
  name = "support-mfa-if-exists"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { AWS = local.alice }
      Condition = { BoolIfExists = { "aws:MultiFactorAuthPresent" = "true" } }
    }]
  })
}

resource "aws_iam_role_policy_attachment" "mfa_if_exists" {
  role       = aws_iam_role.mfa_if_exists.name
  policy_arn = local.support_policy
}

# 6. Account root: trusts every user and role of the account that has sts:AssumeRole, not the
#    named people CIS asks for.
resource "aws_iam_role" "account_root" {
  name = "support-account-root"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { AWS = "arn:${local.partition}:iam::${local.account_id}:root" }
      Condition = local.mfa
    }]
  })
}

resource "aws_iam_role_policy_attachment" "account_root" {
  role       = aws_iam_role.account_root.name
  policy_arn = local.support_policy
}

# 7. An inline "*" on a support role: least privilege, again.
resource "aws_iam_role" "inline_star" {
  name = "support-inline-star"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { AWS = local.alice }, Condition = local.mfa }]
  })
}

resource "aws_iam_role_policy_attachment" "inline_star" {
  role       = aws_iam_role.inline_star.name
  policy_arn = local.support_policy
}

resource "aws_iam_role_policy" "inline_star" {
  name   = "break-glass"
  role   = aws_iam_role.inline_star.name
  policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = "*", Resource = "*" }] })
}
