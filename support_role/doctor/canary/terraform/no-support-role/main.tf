# The doctor's failing account baseline: AWSSupportAccess is held by a user, and no role has it.

resource "terraform_data" "cis_support_role_account_baseline" {}

resource "aws_iam_user" "bob" {
  name = "bob"
}

resource "aws_iam_user_policy_attachment" "bob_support" {
  user       = aws_iam_user.bob.name
  policy_arn = "arn:aws:iam::aws:policy/AWSSupportAccess"
}
