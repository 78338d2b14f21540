# compliance.lineage: findings that earlier stages (lineage, licence detection) attached to
# the model's facts (input.findings) pass through with their severity ("unknown" follows
# policy.unknown). A finding with an unexpected severity denies (fail closed).
package compliance.lineage

import rego.v1

deny contains {"code": f.code, "msg": f.message} if {
	some f in input.findings
	not f.severity in {"warn", "info", "unknown"}
}

unknown contains {"code": f.code, "msg": f.message} if {
	some f in input.findings
	f.severity == "unknown"
}

warn contains {"code": f.code, "msg": f.message} if {
	some f in input.findings
	f.severity == "warn"
}

info contains {"code": f.code, "msg": f.message} if {
	some f in input.findings
	f.severity == "info"
}
