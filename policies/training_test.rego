package compliance.training_test

import rego.v1

import data.compliance.training

test_conditions_listed if training.conditions(["Built with Llama", "prefix"]) == ": Built with Llama; prefix"

test_conditions_none if training.conditions([]) == ""

test_verbs if {
	training.verb.prohibited == "prohibits"
	training.verb.restricted == "restricts"
}
