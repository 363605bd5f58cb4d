package notice

// messages holds every e-mail in English. Every other language says each
// text through the catalogue (internal/lang), where the English text is
// its id; a test keeps every language complete.
var messages = map[Kind]spec{
	Activation: {
		subject: "Set your password for {{.Org}}",
		lines:   []string{"Hello {{.Name}},", "an account was created for you in {{.Org}}. Your login is {{.Login}}."},
		action:  "Set your password",
		after:   []string{"The link works once and expires in {{.Hours}} hours. If you did not expect this e-mail, you can ignore it."},
	},
	ActivationIdP: {
		subject: "Your access to {{.Org}}",
		lines:   []string{"Hello {{.Name}},", "an account was created for you in {{.Org}}. Your login is {{.Login}}, and you sign in with {{.Provider}}: no password to set here."},
		action:  "Sign in",
		after:   []string{"Your first sign-in through {{.Provider}} activates the account. If you did not expect this e-mail, you can ignore it."},
	},
	Invitation: {
		subject: "{{.Org}} invites you",
		lines:   []string{"Hello {{.Name}},", "{{.Org}} would like to give you access with your existing login {{.Login}}, with the role(s): {{.Roles}}."},
		action:  "Accept the invitation",
		after:   []string{"{{if .Until}}The access ends by itself on {{.Until}}. {{end}}The link works once and expires in {{.Hours}} hours. If you do not want this access, ignore this e-mail."},
	},
	InvitationNew: {
		subject: "{{.Org}} invites you",
		lines:   []string{"Hello,", "{{.Org}} would like to give you access, with the role(s): {{.Roles}}. On the page the link opens you choose your name and a password; {{.Login}} becomes your login."},
		action:  "Accept the invitation",
		after:   []string{"{{if .Until}}The access ends by itself on {{.Until}}. {{end}}The link works once and expires in {{.Hours}} hours. If you do not want this access, ignore this e-mail."},
	},
	AdminReset: {
		subject: "Choose a new password",
		lines:   []string{"Hello {{.Name}},", "an administrator of {{.Org}} asked you to choose a new password for {{.Login}}. Until you do, you cannot use your account."},
		action:  "Choose a new password",
		after:   []string{"The link works once and expires in {{.Hours}} hours."},
	},
	ForgotPassword: {
		subject: "Reset your password",
		lines:   []string{"Hello {{.Name}},", "someone asked to reset the password of {{.Login}}."},
		action:  "Choose a new password",
		after:   []string{"The link works once and expires in {{.Hours}} hours. If it was not you, ignore this e-mail: your password stays as it is."},
	},
	PasswordChanged: {
		subject: "Your password was changed",
		lines:   []string{"Hello {{.Name}},", "the password of {{.Login}} was changed on {{.When}}.", "If you did not do this, contact your administrator at once."},
	},
	EmailChanged: {
		subject: "Your e-mail address was changed",
		lines:   []string{"Hello {{.Name}},", "the e-mail address of your account {{.Login}} was changed to {{.NewEmail}} on {{.When}}.", "If you did not ask for this, contact your administrator at once."},
	},
	TOTPEnabled: {
		subject: "Two-factor sign-in is on",
		lines:   []string{"Hello {{.Name}},", "two-factor sign-in with an authenticator app was turned on for {{.Login}} on {{.When}}.", "If you did not do this, contact your administrator at once."},
	},
	TOTPDisabled: {
		subject: "Two-factor sign-in is off",
		lines:   []string{"Hello {{.Name}},", "two-factor sign-in was turned off for {{.Login}} on {{.When}}.", "If you did not do this, contact your administrator at once."},
	},
	AccessReviewReminder: {
		subject: "Reminder: decide on the access review of {{.Org}} by {{.When}}",
		lines:   []string{"Hello {{.Name}},", "the access review \"{{.Title}}\" of {{.Org}} is due on {{.When}}. Roles you may decide on that are still open: {{.Body}}.", "What is undecided at the due date is ended or kept as the review says."},
		action:  "Decide now",
	},
	AccessReview: {
		subject: "Access review of {{.Org}}: decide by {{.When}}",
		lines:   []string{"Hello {{.Name}},", "{{.Person}} started the access review \"{{.Title}}\" of {{.Org}}. Please confirm or revoke each role you administer there by {{.When}}: who still needs it keeps it, who does not loses it at once.", "Nobody decides on their own access. What is undecided at the due date is ended or kept as the review says."},
		action:  "Open the review",
	},
	WebhookDisabled: {
		subject: "Webhook turned off in {{.Org}}: {{.Title}}",
		lines:   []string{"Hello {{.Name}},", "every delivery to the webhook endpoint {{.Title}} of {{.Org}} has failed since {{.When}}, so Tenantry turned it off. The last answer: {{.Body}}", "Events wait in its delivery log. When the receiver works again, turn the endpoint on in the portal: what waited is sent then, and failed deliveries can be sent again one by one."},
		action:  "Open the endpoint",
	},
	AccessEnding: {
		subject: "Access ends on {{.When}}: {{.Roles}} in {{.Org}}",
		lines:   []string{"Hello {{.Name}},", "the role {{.Roles}} of {{.Person}} in {{.Org}} ends on {{.When}}.", "An administrator of {{.Org}} can give it again with a later end, or without one, before then."},
		action:  "Open the portal",
	},
	News: {
		subject: "News from {{.Org}}: {{.Title}}",
		lines:   []string{"Hello {{.Name}},", "{{.Org}} published news: {{.Title}}", "{{.Body}}"},
		action:  "Read it in the portal",
		after:   []string{"You get news because it is switched on in your profile; switch it off on your Account page."},
	},
	Alert: {
		subject: "Alert from {{.Org}}: {{.Title}}",
		lines:   []string{"Hello {{.Name}},", "{{.Org}} sent an alert: {{.Title}}", "{{.Body}}"},
		action:  "Read it in the portal",
		after:   []string{"You get alerts because they are switched on in your profile; switch them off on your Account page."},
	},
	OwnerChanged: {
		subject: "{{.Person}} is now the owner of {{.Org}}",
		lines:   []string{"Hello {{.Name}},", "the platform operator made {{.Person}} the owner of {{.Org}} on {{.When}}. Your role there is now {{.Roles}}.", "If this is not what your organization asked for, contact the platform operator at once."},
		action:  "Open the portal",
	},
	RequestAccepted: {
		subject: "Your request for {{.Org}} is done",
		lines:   []string{"Hello {{.Name}},", "the platform operator accepted your request for {{.Org}}: \"{{.Title}}\"", "{{if .Body}}Their answer: {{.Body}}{{end}}"},
		action:  "Open the portal",
	},
	RequestRejected: {
		subject: "Your request for {{.Org}} was turned down",
		lines:   []string{"Hello {{.Name}},", "the platform operator turned down your request for {{.Org}}: \"{{.Title}}\"", "{{if .Body}}Their answer: {{.Body}}{{end}}"},
		action:  "Open the portal",
	},
}
