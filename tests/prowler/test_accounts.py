"""``cis-support-role-prowler-org``: the account list and the options it refuses before scanning anything."""

from __future__ import annotations

import pytest

from prowler_checks import accounts


# ---------------------------------------------------------------------------------------- input
def test_account_lists_take_ids_role_arns_and_comments() -> None:
    lines = [
        "# production",
        "111111111111",
        "arn:aws:iam::222222222222:role/audit/Scanner  # its own role",
        "",
        "111111111111",  # twice: scanned once
    ]
    assert accounts.parse_targets(lines, "ProwlerScan", "aws") == [
        accounts.Target("111111111111", "arn:aws:iam::111111111111:role/ProwlerScan"),
        accounts.Target("222222222222", "arn:aws:iam::222222222222:role/audit/Scanner"),
    ]
    assert accounts.parse_targets(["333333333333"], "Scan", "aws-us-gov") == [
        accounts.Target("333333333333", "arn:aws-us-gov:iam::333333333333:role/Scan")
    ]


def test_a_bad_account_line_stops_the_run_before_anything_is_scanned(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(accounts.InputError, match=r"line 2: '12345'; line 3: 'arn:aws:iam::111111111111:user/x'"):
        accounts.parse_targets(["111111111111", "12345", "arn:aws:iam::111111111111:user/x"], "R", "aws")
    assert accounts.main(["12345"]) == 2
    assert "not a 12-digit account ID nor a role ARN" in capsys.readouterr().err
    assert accounts.main([]) == 2
    assert accounts.main(["111111111111", "-F", "my_scan"]) == 2  # the dashboard splits names on "_"
