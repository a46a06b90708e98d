# The doctor's Terraform canary: an account baseline with one passing and one failing role per rule.
# Scanned by `python -m support_role doctor`; the expected results are in ../../expected.json.

resource "terraform_data" "cis_support_role_account_baseline" {}

resource "aws_iam_user" "alice" {
  name = "alice"
}

resource "aws_iam_role" "canary_good" {
  name = "canary-good"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { AWS = "arn:aws:iam::123456789012:user/alice" }
      Action    = "sts:AssumeRole"
      Condition = { Bool = { "aws:MultiFactorAuthPresent" = "true" } }
    }]
  })
}

resource "aws_iam_role" "canary_trust_fail" {
  name = "canary-trust-fail"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { AWS = "arn:aws:iam::123456789012:root" }
      Action    = "sts:AssumeRole"
      Condition = { Bool = { "aws:MultiFactorAuthPresent" = "true" } }
    }]
  })
}

resource "aws_iam_role" "canary_least_privilege_fail" {
  name = "canary-least-privilege-fail"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { AWS = "arn:aws:iam::123456789012:user/alice" }
      Action    = "sts:AssumeRole"
      Condition = { Bool = { "aws:MultiFactorAuthPresent" = "true" } }
    }]
  })
}

resource "aws_iam_role" "canary_mfa_fail" {
  name = "canary-mfa-fail"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { AWS = "arn:aws:iam::123456789012:user/alice" }
      Action    = "sts:AssumeRole"
    }]
  })
}

resource "aws_iam_role_policy_attachment" "good_support" {
  role       = aws_iam_role.canary_good.name
  policy_arn = "arn:aws:iam::aws:policy/AWSSupportAccess"
}

resource "aws_iam_role_policy_attachment" "trust_fail_support" {
  role       = aws_iam_role.canary_trust_fail.name
  policy_arn = "arn:aws:iam::aws:policy/AWSSupportAccess"
}

resource "aws_iam_role_policy_attachment" "least_privilege_fail_support" {
  role       = aws_iam_role.canary_least_privilege_fail.name
  policy_arn = "arn:aws:iam::aws:policy/AWSSupportAccess"
}

resource "aws_iam_role_policy_attachment" "least_privilege_fail_admin" {
  role       = aws_iam_role.canary_least_privilege_fail.name
  policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"
}

resource "aws_iam_role_policy_attachment" "mfa_fail_support" {
  role       = aws_iam_role.canary_mfa_fail.name
  policy_arn = "arn:aws:iam::aws:policy/AWSSupportAccess"
}
