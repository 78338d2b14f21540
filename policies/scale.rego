# compliance.scale: caps on the licensee's size (monthly active users, revenue).
package compliance.scale

import rego.v1

import data.compliance.core

# mau-cap-exceeded: the organisation's monthly active users exceed the licence's cap.
deny contains {"code": "mau-cap-exceeded", "msg": msg} if {
	cap := core.terms.mau_cap
	users := core.org.monthly_active_users
	core.users_exceed(users, cap)
	msg := sprintf(
		"organization.monthly_active_users (%d) exceeds the licence's cap of %d monthly active users (%s); a separate licence from the publisher is required",
		[users, cap, core.name],
	)
}

unknown contains {"code": "mau-cap-exceeded", "msg": msg} if {
	cap := core.terms.mau_cap
	is_number(cap)
	not is_number(core.org.monthly_active_users)
	msg := sprintf(
		"the licence (%s) caps monthly active users at %d, but organization.monthly_active_users is not set",
		[core.name, cap],
	)
}

# revenue-cap-exceeded: the organisation's annual revenue exceeds the licence's cap.
deny contains {"code": "revenue-cap-exceeded", "msg": msg} if {
	cap := core.terms.revenue_cap
	revenue := core.org.annual_revenue_usd
	core.users_exceed(revenue, cap)
	msg := sprintf(
		"organization.annual_revenue_usd (%d) exceeds the licence's revenue cap of USD %d (%s)",
		[revenue, cap, core.name],
	)
}

unknown contains {"code": "revenue-cap-exceeded", "msg": msg} if {
	cap := core.terms.revenue_cap
	is_number(cap)
	not is_number(core.org.annual_revenue_usd)
	msg := sprintf(
		"the licence (%s) applies only below an annual revenue of USD %d, but organization.annual_revenue_usd is not set",
		[core.name, cap],
	)
}
