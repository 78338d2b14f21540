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

conditions(duties) := concat("", [": ", concat("; ", duties)]) if {
	count(duties) > 0
} else := ""

unknown contains {"code": "output-training-restricted", "msg": msg} if {
	trains_on_outputs
	not core.terms.output_training in {"allowed", "conditional", "restricted", "prohibited"}
	msg := concat("", [
		"whether the licence (", core.name, ") allows training on outputs could not be",
		" established, and organization.trains_on_outputs is true",
	])
}
