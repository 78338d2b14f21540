package compliance.training_test

import rego.v1

import data.compliance.training

test_conditions_list_output_duties if {
	duties := ["Display Built with Llama", "models trained on outputs: names must begin with Llama"]
	training.conditions(duties) == ": models trained on outputs: names must begin with Llama"
}

test_conditions_point_to_attribution if {
	training.conditions(["Give recipients a copy of this License"]) == " (see attribution-required for the licence's duties)"
}

test_conditions_none if {
	training.conditions([]) == " (see attribution-required for the licence's duties)"
}

test_output_duty_matches_naming if training.output_duty("Model names must begin with \"Llama\"")

test_output_duty_ignores_notices if not training.output_duty("Retain copyright notices")

test_verbs if {
	training.verb.prohibited == "prohibits"
	training.verb.restricted == "restricts"
}
