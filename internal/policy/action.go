package policy

import "strings"

// Action is one action in one portal area, such as "users.see_all". The
// actions below are fixed here because Tenantry itself enforces them;
// which role may do what is data, in the catalogue files. A catalogue may
// add areas of its own (an "areas" line): their actions are for the
// portal's other applications, and a Policy numbers them after these.
type Action uint16

// The actions, from seed 001's portal areas, plus the platform operator's.
const (
	DashboardSeeAll Action = iota
	DashboardReorderButton
	DashboardLatestOrderWidget
	SIMsSeeAll
	SIMsSIMState
	SIMsIMEILock
	SIMsAutoTopUp
	SIMsResetConnectivity
	SIMsSIMListExport
	SIMsReorderTopUp
	SIMsSendSMS
	ConfigurationNetworkSettings
	ConfigurationBreakoutSettings
	ConfigurationMonthlyLimit
	ConfigurationIMEILock
	ConfigurationAutoTopUp
	ConfigurationDataStreams
	ConfigurationSMSForwarder
	ConfigurationOpenVPN
	ConfigurationManagementAPI
	OSTabAvailable
	AccountSeeAll
	AccountCustomerData
	AccountUserData
	AccountAddNewEmail
	AccountBillingShippingAddress
	AccountPaymentDetails
	AccountNotices
	OrdersSeeAll
	OrdersDownloadInvoices
	OrdersTriggerNewOrder
	OrdersDownloadAffectedSIMs
	UsersSeeAll
	UsersAdministerOwnUser
	OrganisationSeeAll
	OrganisationAddOrganisation
	OrganisationSIMTransfer
	PerformanceSeeAll
	SupportSeeAll
	SupportNewServiceRequest
	APIAccessUse
	PlatformAccountsSeeAll
	PlatformAccountsCreate
	PlatformInventoryLoad
	PlatformWorkflows
	PlatformServiceRequests
	PlatformNotices
	PlatformDecisions

	numActions
)

var actionNames = [numActions]string{
	DashboardSeeAll:               "dashboard.see_all",
	DashboardReorderButton:        "dashboard.reorder_button",
	DashboardLatestOrderWidget:    "dashboard.latest_order_widget",
	SIMsSeeAll:                    "sims.see_all",
	SIMsSIMState:                  "sims.sim_state",
	SIMsIMEILock:                  "sims.imei_lock",
	SIMsAutoTopUp:                 "sims.auto_top_up",
	SIMsResetConnectivity:         "sims.reset_connectivity",
	SIMsSIMListExport:             "sims.sim_list_export",
	SIMsReorderTopUp:              "sims.reorder_top_up",
	SIMsSendSMS:                   "sims.send_sms",
	ConfigurationNetworkSettings:  "configuration.network_settings",
	ConfigurationBreakoutSettings: "configuration.breakout_settings",
	ConfigurationMonthlyLimit:     "configuration.monthly_limit",
	ConfigurationIMEILock:         "configuration.imei_lock",
	ConfigurationAutoTopUp:        "configuration.auto_top_up",
	ConfigurationDataStreams:      "configuration.data_streams",
	ConfigurationSMSForwarder:     "configuration.sms_forwarder",
	ConfigurationOpenVPN:          "configuration.openvpn",
	ConfigurationManagementAPI:    "configuration.management_api",
	OSTabAvailable:                "os.tab_available",
	AccountSeeAll:                 "account.see_all",
	AccountCustomerData:           "account.customer_data",
	AccountUserData:               "account.user_data",
	AccountAddNewEmail:            "account.add_new_email",
	AccountBillingShippingAddress: "account.billing_shipping_address",
	AccountPaymentDetails:         "account.payment_details",
	AccountNotices:                "account.notices",
	OrdersSeeAll:                  "orders.see_all",
	OrdersDownloadInvoices:        "orders.download_invoices",
	OrdersTriggerNewOrder:         "orders.trigger_new_order",
	OrdersDownloadAffectedSIMs:    "orders.download_affected_sims",
	UsersSeeAll:                   "users.see_all",
	UsersAdministerOwnUser:        "users.administer_own_user",
	OrganisationSeeAll:            "organisation.see_all",
	OrganisationAddOrganisation:   "organisation.add_organisation",
	OrganisationSIMTransfer:       "organisation.sim_transfer",
	PerformanceSeeAll:             "performance.see_all",
	SupportSeeAll:                 "support.see_all",
	SupportNewServiceRequest:      "support.new_service_request",
	APIAccessUse:                  "api_access.use",
	PlatformAccountsSeeAll:        "platform.accounts_see_all",
	PlatformAccountsCreate:        "platform.accounts_create",
	PlatformInventoryLoad:         "platform.inventory_load",
	PlatformWorkflows:             "platform.workflows",
	PlatformServiceRequests:       "platform.service_requests",
	PlatformNotices:               "platform.notices",
	PlatformDecisions:             "platform.decisions",
}

// String returns the action's name as the catalogue files spell it.
func (a Action) String() string {
	if a < numActions {
		return actionNames[a]
	}
	return "unknown"
}

// Actions returns every action in declaration order.
func Actions() []Action {
	out := make([]Action, numActions)
	for i := range out {
		out[i] = Action(i)
	}
	return out
}

// ParseAction returns the action named name.
func ParseAction(name string) (Action, bool) {
	for i, n := range actionNames {
		if n == name {
			return Action(i), true
		}
	}
	return 0, false
}

// maxActions bounds the actions of one Policy, built in and declared.
const maxActions = 512

// actionSet is a bit set over the actions.
type actionSet [maxActions / 64]uint64

func (s *actionSet) add(a Action)      { s[a/64] |= 1 << (a % 64) }
func (s *actionSet) has(a Action) bool { return s[a/64]&(1<<(a%64)) != 0 }

// platformArea is the area of the operator's actions, which no customer
// principal holds.
const platformArea = "platform."

// CustomerActions names every action outside the platform area, in
// vocabulary order: what a customer's token may be narrowed to.
func (p *Policy) CustomerActions() []string {
	var out []string
	for _, n := range actionNames {
		if !strings.HasPrefix(n, platformArea) {
			out = append(out, n)
		}
	}
	return out
}
