package compliance.license_test

import rego.v1

import data.compliance.license

test_class_allowed if license.class_allowed("restricted", ["permissive", "restricted"])

test_class_not_allowed if not license.class_allowed("copyleft", ["permissive", "restricted"])

test_class_not_allowed_empty if not license.class_allowed("permissive", [])

test_unknown_message_names_declared if {
	contains(license.unknown_license_msg({"declared": "other"}), "declares 'other'")
}

test_unknown_message_without_declared if {
	contains(license.unknown_license_msg({"declared": null}), "declares none")
}
