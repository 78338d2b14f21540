# compliance.license: the licence itself and what it allows.
package compliance.license

import rego.v1

import data.compliance.core

# license-unknown: no licence could be established for the model (or its lineage).
unknown contains {"code": "license-unknown", "msg": msg} if {
	core.terms.class == "unknown"
	msg := unknown_license_msg(input.license)
}

unknown_license_msg(lic) := concat("", [
	"no licence could be established: the card declares '", lic.declared,
	"' and no licence text was recognised",
]) if {
	is_string(lic.declared)
} else := "no licence could be established: the card declares none and no licence file was recognised"

# license-unknown: no known licence text, but its own clauses were read and place it in a
# class (non-commercial, research-only, copyleft): the class decides what it forbids, and the
# licence itself is still one nobody has reviewed.
unknown contains {"code": "license-unknown", "msg": msg} if {
	core.terms.class != "unknown"
	core.terms.license_key == "unknown"
	msg := concat("", [
		"the licence text is not a known one; its clauses read as class '", core.terms.class,
		"': have it reviewed",
	])
}

# license-unknown: the licence is known but whether it allows commercial use is not, and
# the organisation uses models commercially.
unknown contains {"code": "license-unknown", "msg": msg} if {
	core.commercial_purpose
	core.terms.class != "unknown"
	not core.terms.class in core.open_source_classes
	core.terms.commercial_use == "unknown"
	msg := concat("", [
		"whether the licence (", core.name, ") allows commercial use could not be established,",
		" and organization.use is '", core.org.use, "'",
	])
}

# license-class-denied: the class is not one the organisation allows.
deny contains {"code": "license-class-denied", "msg": msg} if {
	cls := core.terms.class
	cls != "unknown"
	not class_allowed(cls, core.settings.allow_classes)
	msg := concat("", [
		"the licence (", core.name, ") is of class '", cls,
		"', which policy.allow_classes does not include",
	])
}

class_allowed(cls, allowed) if cls in {c | some c in allowed}

# commercial-use-prohibited: non-commercial or research-only terms under commercial or
# internal use.
deny contains {"code": "commercial-use-prohibited", "msg": msg} if {
	core.commercial_purpose
	count(noncommercial_reasons) > 0
	msg := concat("", [
		"the licence (", core.name, ") ", concat(" and ", sort(noncommercial_reasons)),
		", and organization.use is '", core.org.use, "'",
	])
}

noncommercial_reasons contains "prohibits commercial use" if core.terms.commercial_use == "no"

noncommercial_reasons contains "is non-commercial" if core.terms.class == "non-commercial"

noncommercial_reasons contains "is non-commercial" if core.terms.non_commercial == true

noncommercial_reasons contains "is for research only" if core.terms.class == "research-only"

noncommercial_reasons contains "is for research only" if core.terms.research_only == true

# attribution-required: the duties the licence imposes, listed.
info contains {"code": "attribution-required", "msg": msg} if {
	duties := core.terms.attribution
	count(duties) > 0
	msg := concat("", ["the licence (", core.name, ") requires: ", concat("; ", duties)])
}
