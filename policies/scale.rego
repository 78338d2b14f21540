# compliance.scale: caps on the licensee's size (monthly active users, revenue).
package compliance.scale

import rego.v1

import data.compliance.core

# mau-cap-exceeded: the organisation's monthly active users exceed the licence's cap.
deny contains {"code": "mau-cap-exceeded", "msg": msg} if {
	cap := core.terms.mau_cap
	users := core.org.monthly_active_users
	core.users_exceed(users, cap)
	msg := concat("", [
		"organization.monthly_active_users (", format_int(users, 10),
		") exceeds the licence's cap of ", format_int(cap, 10), " monthly active users (",
		core.name, "); a separate licence from the publisher is required",
	])
}

# organization-fact-missing: the licence caps users and the organisation did not say how many
# it has. One finding naming the key to set (it is a fact about you, not a violation).
unknown contains {"code": "organization-fact-missing", "msg": msg} if {
	cap := core.terms.mau_cap
	is_number(cap)
	not is_number(core.org.monthly_active_users)
	msg := concat("", [
		"set organization.monthly_active_users in the config: the licence (", core.name,
		") caps monthly active users at ", format_int(cap, 10), " and the number is not set",
	])
}

# revenue-cap-exceeded: the organisation's annual revenue exceeds the licence's cap.
deny contains {"code": "revenue-cap-exceeded", "msg": msg} if {
	cap := core.terms.revenue_cap
	revenue := core.org.annual_revenue_usd
	core.users_exceed(revenue, cap)
	msg := concat("", [
		"organization.annual_revenue_usd (", format_int(revenue, 10),
		") exceeds the licence's revenue cap of USD ", format_int(cap, 10), " (", core.name, ")",
	])
}

unknown contains {"code": "organization-fact-missing", "msg": msg} if {
	cap := core.terms.revenue_cap
	is_number(cap)
	not is_number(core.org.annual_revenue_usd)
	msg := concat("", [
		"set organization.annual_revenue_usd in the config: the licence (", core.name,
		") applies only below an annual revenue of USD ", format_int(cap, 10),
		" and the revenue is not set",
	])
}
