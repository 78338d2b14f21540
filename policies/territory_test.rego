package compliance.territory_test

import rego.v1

import data.compliance.territory

test_scope_all_applies if territory.scope_applies("all", false)

test_scope_multimodal_applies_to_multimodal if territory.scope_applies("multimodal", true)

test_scope_multimodal_not_text if not territory.scope_applies("multimodal", false)

test_scope_multimodal_not_unknown if not territory.scope_applies("multimodal", null)

test_unknown_scope_applies if territory.scope_applies("vision", false)

test_clause_name_policy if territory.clause_name({"clause": "policy"}) == "use policy"

test_clause_name_license if territory.clause_name({"clause": "license"}) == "licence"

test_scope_note if territory.scope_note("multimodal") == "; this model is multimodal"

test_scope_note_empty if territory.scope_note("all") == ""
