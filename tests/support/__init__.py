"""What every test environment shares: where the tools are, Terraform and moto for a test, readers.

* :mod:`tests.support.tools`: the repository, the scanner environments' executables (a missing one
  is :class:`~tests.support.tools.ToolMissing`, which the fixtures turn into a skip with the reason),
  the moto server command, a clean environment for a tool run;
* :mod:`tests.support.terraform`: Terraform for a test (skips with the reason when terraform or the
  provider mirror is absent);
* the simulated account itself (moto server lifecycle, fake credentials, partition to region, IAM
  seeding, the Terraform provider block) is :mod:`support_role.localaws`, shipped with the package
  because the doctor and the demo need it at run time.

Each module imports only what its environment has: ``tools`` and ``terraform`` the standard library
and the core; the Checkov and Prowler helpers their scanner, lazily.
"""
