"""``python -m support_role``: the rule table, the core replayed over the scenario corpus, and the doctor."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

from ._metadata import EXISTS, PER_ROLE_RULES, RULES
from ._rules import evaluate_account


def _rules(args: argparse.Namespace) -> int:
    if args.json:
        print(json.dumps([rule.to_dict() for rule in RULES], indent=2))
        return 0
    for rule in RULES:
        print(f"{rule.id:<30} {rule.checkov_id:<12} {rule.prowler_id:<48} {rule.severity:<7} {rule.title}")
    return 0


def _corpus(args: argparse.Namespace) -> int:
    from .scenarios import describe_verdict, load_corpus, mismatches, scenario_account

    scenarios = load_corpus(args.directory)
    problems: list[str] = []
    rows: list[dict[str, str]] = []
    for scenario in scenarios:
        results = evaluate_account(scenario_account(scenario), scenario.parsed_config())
        exists = results[""][EXISTS]
        rows.append(
            {"scenario": scenario.name, "role": "(account)", "rule": EXISTS, "verdict": describe_verdict(exists)}
        )
        for name in scenario.subjects():  # roles, Identity Center's roles, permission sets
            for rule_id in PER_ROLE_RULES:
                verdict = results.get(name, {}).get(rule_id)
                rows.append(
                    {
                        "scenario": scenario.name,
                        "role": name,
                        "rule": rule_id,
                        "verdict": describe_verdict(verdict),
                    }
                )
        per_role = {name: verdicts for name, verdicts in results.items() if name}
        problems.extend(mismatches(scenario, exists, per_role))
    if args.json:
        print(json.dumps({"rows": rows, "mismatches": problems}, indent=2))
    else:
        for row in rows:
            print(f"{row['scenario']:<40} {row['role']:<28} {row['rule']:<30} {row['verdict']}")
        print(f"\n{len(scenarios)} scenarios, {len(rows)} verdicts, {len(problems)} differing from the corpus")
        for line in problems:
            print("MISMATCH", line)
    return 1 if problems else 0


def _doctor(args: argparse.Namespace) -> int:
    from .doctor import main as doctor

    return doctor(args.checkov, args.prowler, args.moto_server, args.skip or (), args.config, args.json, args.timeout)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m support_role", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    rules = commands.add_parser("rules", help="list the rules with their scanner IDs and CIS mapping")
    rules.add_argument("--json", action="store_true", help="print JSON (the mapping pipelines read)")
    rules.set_defaults(run=_rules)
    corpus = commands.add_parser("corpus", help="replay the scenario corpus through the core")
    corpus.add_argument("directory", nargs="?", default=None, help="folder of scenario YAML files")
    corpus.add_argument("--json", action="store_true")
    corpus.set_defaults(run=_corpus)
    doctor = commands.add_parser(
        "doctor",
        help="run Checkov and Prowler on a bundled canary: did every check of ours load and give its expected result?",
    )
    doctor.add_argument(
        "--checkov", metavar="PATH", help="the checkov executable (else $CIS_SUPPORT_ROLE_CHECKOV, PATH)"
    )
    doctor.add_argument(
        "--prowler", metavar="PATH", help="the prowler executable (else $CIS_SUPPORT_ROLE_PROWLER, PATH)"
    )
    doctor.add_argument(
        "--moto-server", metavar="PATH", help="moto_server for the canary account (else next to prowler, PATH)"
    )
    doctor.add_argument("--skip", action="append", choices=["checkov", "prowler", "moto"], help="leave a part out")
    doctor.add_argument("--config", metavar="FILE", help="also validate this configuration file")
    doctor.add_argument("--timeout", type=float, default=900, help="seconds allowed for each scanner run")
    doctor.add_argument("--json", action="store_true", help="print the report as JSON")
    doctor.set_defaults(run=_doctor)
    args = parser.parse_args(argv)
    try:
        return int(args.run(args))
    except BrokenPipeError:
        return 0
    except Exception as error:  # a CLI prints what went wrong instead of a traceback
        print(f"error: {error}", file=sys.stderr)
        return 2
