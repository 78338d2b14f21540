# Unit tests for compliance.core's functions. No `with input as` (unreliable in rego-cpp, see
# docs/policy.md): functions take their facts as arguments. Run by tests/test_policy_rego.py;
# rule-level behaviour is tested as data in tests/policy_cases/.
package compliance.core_test

import rego.v1

import data.compliance.core

test_covers_group if core.covers("EU", ["DE", "EEA", "EU"])

test_covers_country if core.covers("gb", ["GB"])

test_covers_not_other_region if not core.covers("EU", ["US"])

test_covers_nothing_without_domicile if not core.covers("EU", [])

test_known_region_group if core.known_region("EEA")

test_known_region_country if core.known_region("kr")

test_unknown_region if not core.known_region("Mars")

test_users_exceed if core.users_exceed(700000001, 700000000)

test_users_at_cap_do_not_exceed if not core.users_exceed(700000000, 700000000)

test_users_unknown_do_not_compare if not core.users_exceed(null, 700000000)

test_no_cap_never_exceeded if not core.users_exceed(800000000, null)

test_license_name_key if core.license_name({"license_key": "llama-3.1"}, {"declared": "llama3.1"}) == "llama-3.1"

test_license_name_declared if core.license_name({"license_key": "unknown"}, {"declared": "other"}) == "other"

test_license_name_none if core.license_name({"license_key": "unknown"}, {"declared": null}) == "no licence established"
