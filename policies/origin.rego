# compliance.origin: where the publisher is.
package compliance.origin

import rego.v1

import data.compliance.core

denied := {upper(c) | some c in core.settings.deny_origins}

# The effective origin (after re-upload resolution) and the publisher's own country; both
# count, so a re-upload cannot hide an origin.
origins := {upper(c) | some c in [core.terms.origin_country, input.publisher.country]; is_string(c)}

deny contains {"code": "origin-denied", "msg": msg} if {
	some c in origins
	c in denied
	msg := concat("", ["the publisher is in ", c, ", which policy.deny_origins lists"])
}

unknown contains {"code": "origin-denied", "msg": msg} if {
	count(denied) > 0
	count(origins) == 0
	msg := "the publisher's country is unknown and policy.deny_origins is set"
}
