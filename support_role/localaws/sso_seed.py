"""Create a scenario's IAM Identity Center permission sets in a moto server through boto3.

    python -m support_role.localaws.sso_seed ENDPOINT SCENARIO_JSON

``SCENARIO_JSON``: a file holding one scenario in the corpus format (as JSON). Prints the
permission sets' ARNs by name (JSON). Run in an environment with boto3 (Prowler's), against the
moto server of ``support_role.localaws.moto_iam`` (which has the permissions boundary operations).
The end-to-end live path creates permission sets with ``terraform apply``; it seeds them here
(:func:`~support_role.localaws.seed_permission_sets`) only where there is no terraform.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from ..scenarios import IDENTITY_CENTER_REGION, scenario_from_mapping
from ._identity_center import seed_permission_sets
from ._server import FAKE_CREDENTIALS


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    import boto3  # only here: the rest of the package runs without it

    endpoint, file = args
    scenario = scenario_from_mapping(json.loads(Path(file).read_text(encoding="utf-8")))
    client = boto3.client(
        "sso-admin",
        endpoint_url=endpoint,
        region_name=IDENTITY_CENTER_REGION,
        aws_access_key_id=FAKE_CREDENTIALS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=FAKE_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
    )
    print(json.dumps(seed_permission_sets(client, scenario)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
