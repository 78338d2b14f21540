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
	msg := sprintf("the publisher of %s is in %s, which policy.deny_origins lists", [input.model, c])
}

unknown contains {"code": "origin-denied", "msg": msg} if {
	count(denied) > 0
	count(origins) == 0
	msg := sprintf("the publisher's country of %s is unknown and policy.deny_origins is set", [input.model])
}
