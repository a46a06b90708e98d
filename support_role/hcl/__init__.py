"""Reading Terraform's HCL without Terraform: a parser, an evaluator and the module model.

Pure Python, no dependencies, never raises on any input. See ``docs/terraform.md``.
"""

from ._eval import FUNCTIONS, MapScope, Scope, evaluate, render
from ._syntax import Attribute, Block, Body, Expr, SyntaxProblem, Template, parse_body, parse_expression, parse_template
from ._values import Choice, EncodedJson, Ref, UnknownValue, Value, branches, is_known

__all__ = [
    "FUNCTIONS",
    "Attribute",
    "Block",
    "Body",
    "Choice",
    "EncodedJson",
    "Expr",
    "MapScope",
    "Ref",
    "Scope",
    "SyntaxProblem",
    "Template",
    "UnknownValue",
    "Value",
    "branches",
    "evaluate",
    "evaluate_text",
    "is_known",
    "parse_body",
    "parse_expression",
    "parse_template",
    "render",
]


def evaluate_text(text: str, scope: Scope) -> Value:
    """The value of an expression given as text (e.g. one Checkov left unevaluated); never raises."""
    expr = parse_expression(text)
    if isinstance(expr, SyntaxProblem):
        return UnknownValue(expr.message)
    return evaluate(expr, scope)
