"""Render corpus scenarios as infrastructure code (Terraform, CloudFormation); plain Python."""
