# compliance.core: the shared vocabulary of the built-in rules.
#
# input  = one model's facts (ModelFacts JSON); restriction fields are read from
#          input.effective, the terms after lineage.
# data.compliance.config = {"organization": {...}, "policy": {...}} from compliance.yaml.
# data.compliance.regions = {"EU": [...], "EEA": [...]} (ISO 3166-1 alpha-2 members).
# data.compliance.countries = {"AD": true, ...}: every ISO 3166-1 alpha-2 code.
#
# Every rule package (compliance.<topic>) contributes findings through four sets of
# {"code", "msg"} objects: deny, warn, info, and unknown (a fact that could not be
# established; policy.unknown decides whether it denies or warns).
#
# rego-cpp note: build messages with concat() and format_int(), never sprintf("%s"/"%v"):
# rego-cpp 1.5 can emit the string argument of sprintf with its quotes unescaped (e.g. for the
# result of upper() or concat()), which breaks the result; the engine then fails closed.
package compliance.core

import rego.v1

org := data.compliance.config.organization

settings := data.compliance.config.policy

terms := input.effective

# Uses that count as commercial for licence purposes. Internal use by a company is not
# "non-commercial" under CC-BY-NC or research-only terms.
commercial_uses := {"commercial", "internal"}

commercial_purpose if org.use in commercial_uses

# Licence classes whose terms allow commercial use by definition.
open_source_classes := {"permissive", "weak-copyleft", "copyleft"}

# The licence's name for messages: key, else the declared id, else "no licence".
license_name(t, lic) := t.license_key if {
	is_string(t.license_key)
	t.license_key != "unknown"
} else := lic.declared if {
	is_string(lic.declared)
} else := "no licence established"

name := license_name(terms, input.license)

# True when a territory clause naming `region` covers an organisation in `org_regions`
# (its domicile plus the groups it belongs to, e.g. ["DE", "EEA", "EU"]).
covers(region, org_regions) if upper(region) in {r | some r in org_regions}

# A known region: an ISO country code or a group in data.compliance.regions.
known_region(region) if data.compliance.regions[upper(region)]

known_region(region) if data.compliance.countries[upper(region)]

users_exceed(users, cap) if {
	is_number(users)
	is_number(cap)
	users > cap
}
