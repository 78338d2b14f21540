# compliance.territory: licence or use-policy clauses that exclude a territory.
package compliance.territory

import rego.v1

import data.compliance.core

org_regions := core.org.regions

domicile_known if is_string(core.org.domicile)

restrictions := core.terms.territory_restrictions

# A clause applies to this model when its scope covers it. Scopes the rules do not know
# apply (fail closed).
scope_applies("all", _)

scope_applies("multimodal", true)

scope_applies(scope, _) if not scope in known_scopes

known_scopes := {"all", "multimodal"}

# Where the clause sits, for messages: "the use policy of llama-3.2", "the licence of ...",
# or the repository's access gate (card extra_gated_eu_disallowed).
clause_source(r, name) := concat("", ["the use policy of ", name]) if {
	r.clause == "policy"
} else := "the repository's access gate" if {
	r.clause == "gate"
} else := concat("", ["the licence of ", name])

# eu-restricted: a territory clause covers the organisation's domicile.
deny contains {"code": "eu-restricted", "msg": msg} if {
	some r in restrictions
	core.covers(r.region, org_regions)
	scope_applies(r.scope, input.multimodal)
	msg := concat("", [
		clause_source(r, core.name), " excludes ", r.region, " (scope: ", r.scope,
		") and the organisation is domiciled in ", core.org.domicile, scope_note(r.scope),
	])
}

scope_note("multimodal") := "; this model is multimodal"

scope_note(scope) := "" if scope != "multimodal"

# The clause is scoped to multimodal models and the modality is unknown: say so.
unknown contains {"code": "eu-restricted", "msg": msg} if {
	some r in restrictions
	core.covers(r.region, org_regions)
	r.scope == "multimodal"
	not is_boolean(input.multimodal)
	msg := concat("", [
		clause_source(r, core.name), " excludes ", r.region,
		" for multimodal models; whether this model is multimodal is unknown",
	])
}

# The facts flag an EU restriction without naming the clause.
deny contains {"code": "eu-restricted", "msg": msg} if {
	core.terms.eu_restricted == true
	"EU" in org_regions
	not eu_clause_listed
	msg := concat("", [
		"the terms of ", core.name, " restrict use in the EU and the organisation is domiciled in ",
		core.org.domicile,
	])
}

gate_listed if {
	some r in restrictions
	r.clause == "gate"
}

eu_clause_listed if {
	some r in restrictions
	upper(r.region) == "EU"
}

# The repository's access gate excludes EU users (card extra_gated_eu_disallowed), when the
# facts do not already list it as a clause.
deny contains {"code": "eu-restricted", "msg": msg} if {
	input.eu_gate_disallowed == true
	"EU" in org_regions
	not gate_listed
	msg := concat("", [
		"the repository's access gate excludes users in the EU and the organisation is",
		" domiciled in ", core.org.domicile,
	])
}

# A clause names a region the rules do not know: it may cover the organisation.
unknown contains {"code": "eu-restricted", "msg": msg} if {
	some r in restrictions
	not core.covers(r.region, org_regions)
	not core.known_region(r.region)
	msg := concat("", [
		clause_source(r, core.name), " excludes '", r.region,
		"', a region this tool does not know",
	])
}

# organization-fact-missing: the organisation did not state its domicile, so no territory
# clause can be ruled out. One finding, naming the key to set, whatever the clauses are.
unknown contains {"code": "organization-fact-missing", "msg": msg} if {
	not domicile_known
	territory_terms
	msg := concat("", [
		"set organization.domicile in the config: ", territory_reason,
		" and where the organisation is domiciled is not set",
	])
}

territory_terms if count(restrictions) > 0

territory_terms if core.terms.eu_restricted == true

territory_terms if input.eu_gate_disallowed == true

territory_reason := concat("", [
	"the terms of ", core.name, " exclude ", concat(", ", sorted_regions),
]) if {
	count(restrictions) > 0
} else := concat("", ["the terms of ", core.name, " restrict use in the EU"]) if {
	core.terms.eu_restricted == true
} else := "the repository's access gate excludes users in the EU"

sorted_regions := sort({r.region | some r in restrictions})
