# compliance.training: using a model's outputs to train or improve other models.
package compliance.training

import rego.v1

import data.compliance.core

trains_on_outputs if core.org.trains_on_outputs == true

deny contains {"code": "output-training-restricted", "msg": msg} if {
	trains_on_outputs
	core.terms.output_training in {"prohibited", "restricted"}
	msg := concat("", [
		"the licence (", core.name, ") ", verb[core.terms.output_training],
		" using outputs to train other models, and organization.trains_on_outputs is true",
	])
}

verb := {"prohibited": "prohibits", "restricted": "restricts"}

warn contains {"code": "output-training-restricted", "msg": msg} if {
	trains_on_outputs
	core.terms.output_training == "conditional"
	msg := concat("", [
		"the licence (", core.name, ") allows training other models on outputs only under conditions",
		conditions(core.terms.attribution),
	])
}

# The duties that concern outputs or derived models (e.g. a name prefix); the full list is in
# attribution-required.
conditions(duties) := concat("", [": ", concat("; ", found)]) if {
	found := output_duties(duties)
	count(found) > 0
} else := " (see attribution-required for the licence's duties)"

output_duties(duties) := [d | some d in duties; output_duty(d)]

output_duty(d) if contains(lower(d), "output")

output_duty(d) if contains(lower(d), "train")

output_duty(d) if contains(lower(d), "name")

unknown contains {"code": "output-training-restricted", "msg": msg} if {
	trains_on_outputs
	not core.terms.output_training in {"allowed", "conditional", "restricted", "prohibited"}
	msg := concat("", [
		"whether the licence (", core.name, ") allows training on outputs could not be",
		" established, and organization.trains_on_outputs is true",
	])
}
