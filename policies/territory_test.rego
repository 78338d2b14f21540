package compliance.territory_test

import rego.v1

import data.compliance.territory

test_scope_all_applies if territory.scope_applies("all", false)

test_scope_multimodal_applies_to_multimodal if territory.scope_applies("multimodal", true)

test_scope_multimodal_not_text if not territory.scope_applies("multimodal", false)

test_scope_multimodal_not_unknown if not territory.scope_applies("multimodal", null)

test_unknown_scope_applies if territory.scope_applies("vision", false)

test_clause_source_policy if territory.clause_source({"clause": "policy"}, "llama-3.2") == "the use policy of llama-3.2"

test_clause_source_gate if territory.clause_source({"clause": "gate"}, "x") == "the repository's access gate"

test_clause_source_license if territory.clause_source({"clause": "license"}, "x") == "the licence of x"

test_scope_note if territory.scope_note("multimodal") == "; this model is multimodal"

test_scope_note_empty if territory.scope_note("all") == ""
