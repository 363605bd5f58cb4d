package notice

// catalogue holds every message in every language. Every language must
// have every message; New checks.
var catalogue = map[string]map[Kind]spec{
	"en": {
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
	},
	"de": {
		Activation: {
			subject: "Legen Sie Ihr Passwort für {{.Org}} fest",
			lines:   []string{"Hallo {{.Name}},", "für Sie wurde ein Konto bei {{.Org}} angelegt. Ihr Login ist {{.Login}}."},
			action:  "Passwort festlegen",
			after:   []string{"Der Link funktioniert einmal und läuft in {{.Hours}} Stunden ab. Wenn Sie diese E-Mail nicht erwartet haben, können Sie sie ignorieren."},
		},
		ActivationIdP: {
			subject: "Ihr Zugang zu {{.Org}}",
			lines:   []string{"Hallo {{.Name}},", "für Sie wurde ein Konto bei {{.Org}} angelegt. Ihr Login ist {{.Login}}; Sie melden sich über {{.Provider}} an und legen hier kein Passwort fest."},
			action:  "Anmelden",
			after:   []string{"Ihre erste Anmeldung über {{.Provider}} aktiviert das Konto. Wenn Sie diese E-Mail nicht erwartet haben, können Sie sie ignorieren."},
		},
		Invitation: {
			subject: "{{.Org}} lädt Sie ein",
			lines:   []string{"Hallo {{.Name}},", "{{.Org}} möchte Ihnen mit Ihrem bestehenden Login {{.Login}} Zugang geben, mit der Rolle bzw. den Rollen: {{.Roles}}."},
			action:  "Einladung annehmen",
			after:   []string{"{{if .Until}}Der Zugang endet von selbst am {{.Until}}. {{end}}Der Link funktioniert einmal und läuft in {{.Hours}} Stunden ab. Wenn Sie diesen Zugang nicht möchten, ignorieren Sie diese E-Mail."},
		},
		InvitationNew: {
			subject: "{{.Org}} lädt Sie ein",
			lines:   []string{"Hallo,", "{{.Org}} möchte Ihnen Zugang geben, mit der Rolle bzw. den Rollen: {{.Roles}}. Auf der Seite, die der Link öffnet, wählen Sie Ihren Namen und ein Passwort; {{.Login}} wird Ihr Login."},
			action:  "Einladung annehmen",
			after:   []string{"{{if .Until}}Der Zugang endet von selbst am {{.Until}}. {{end}}Der Link funktioniert einmal und läuft in {{.Hours}} Stunden ab. Wenn Sie diesen Zugang nicht möchten, ignorieren Sie diese E-Mail."},
		},
		AdminReset: {
			subject: "Wählen Sie ein neues Passwort",
			lines:   []string{"Hallo {{.Name}},", "ein Administrator von {{.Org}} hat Sie gebeten, ein neues Passwort für {{.Login}} zu wählen. Bis dahin können Sie Ihr Konto nicht nutzen."},
			action:  "Neues Passwort wählen",
			after:   []string{"Der Link funktioniert einmal und läuft in {{.Hours}} Stunden ab."},
		},
		ForgotPassword: {
			subject: "Passwort zurücksetzen",
			lines:   []string{"Hallo {{.Name}},", "jemand möchte das Passwort von {{.Login}} zurücksetzen."},
			action:  "Neues Passwort wählen",
			after:   []string{"Der Link funktioniert einmal und läuft in {{.Hours}} Stunden ab. Wenn Sie das nicht waren, ignorieren Sie diese E-Mail: Ihr Passwort bleibt unverändert."},
		},
		PasswordChanged: {
			subject: "Ihr Passwort wurde geändert",
			lines:   []string{"Hallo {{.Name}},", "das Passwort von {{.Login}} wurde am {{.When}} geändert.", "Wenn Sie das nicht waren, wenden Sie sich sofort an Ihren Administrator."},
		},
		EmailChanged: {
			subject: "Ihre E-Mail-Adresse wurde geändert",
			lines:   []string{"Hallo {{.Name}},", "die E-Mail-Adresse Ihres Kontos {{.Login}} wurde am {{.When}} in {{.NewEmail}} geändert.", "Wenn Sie das nicht veranlasst haben, wenden Sie sich sofort an Ihren Administrator."},
		},
		TOTPEnabled: {
			subject: "Zwei-Faktor-Anmeldung ist eingeschaltet",
			lines:   []string{"Hallo {{.Name}},", "die Zwei-Faktor-Anmeldung mit einer Authenticator-App wurde am {{.When}} für {{.Login}} eingeschaltet.", "Wenn Sie das nicht waren, wenden Sie sich sofort an Ihren Administrator."},
		},
		TOTPDisabled: {
			subject: "Zwei-Faktor-Anmeldung ist ausgeschaltet",
			lines:   []string{"Hallo {{.Name}},", "die Zwei-Faktor-Anmeldung wurde am {{.When}} für {{.Login}} ausgeschaltet.", "Wenn Sie das nicht waren, wenden Sie sich sofort an Ihren Administrator."},
		},
		AccessReviewReminder: {
			subject: "Erinnerung: Entscheiden Sie bis {{.When}} über die Zugriffsprüfung von {{.Org}}",
			lines:   []string{"Hallo {{.Name}},", "die Zugriffsprüfung „{{.Title}}“ von {{.Org}} ist am {{.When}} fällig. Noch offene Rollen, über die Sie entscheiden dürfen: {{.Body}}.", "Was am Stichtag offen ist, wird beendet oder behalten, wie die Prüfung es festlegt."},
			action:  "Jetzt entscheiden",
		},
		AccessReview: {
			subject: "Zugriffsprüfung von {{.Org}}: entscheiden bis {{.When}}",
			lines:   []string{"Hallo {{.Name}},", "{{.Person}} hat die Zugriffsprüfung „{{.Title}}“ von {{.Org}} gestartet. Bitte bestätigen oder entziehen Sie bis {{.When}} jede Rolle, die Sie dort verwalten: Wer sie noch braucht, behält sie; wer nicht, verliert sie sofort.", "Niemand entscheidet über den eigenen Zugang. Was am Stichtag offen ist, wird beendet oder behalten, wie die Prüfung es festlegt."},
			action:  "Prüfung öffnen",
		},
		WebhookDisabled: {
			subject: "Webhook in {{.Org}} ausgeschaltet: {{.Title}}",
			lines:   []string{"Hallo {{.Name}},", "jede Zustellung an den Webhook-Endpunkt {{.Title}} von {{.Org}} ist seit {{.When}} fehlgeschlagen, daher hat Tenantry ihn ausgeschaltet. Die letzte Antwort: {{.Body}}", "Ereignisse warten in seinem Zustellprotokoll. Wenn der Empfänger wieder funktioniert, schalten Sie den Endpunkt im Portal ein: Was gewartet hat, wird dann gesendet, und fehlgeschlagene Zustellungen können einzeln erneut gesendet werden."},
			action:  "Endpunkt öffnen",
		},
		AccessEnding: {
			subject: "Zugang endet am {{.When}}: {{.Roles}} in {{.Org}}",
			lines:   []string{"Hallo {{.Name}},", "die Rolle {{.Roles}} von {{.Person}} in {{.Org}} endet am {{.When}}.", "Ein Administrator von {{.Org}} kann sie vorher mit einem späteren Ende oder ohne Ende erneut vergeben."},
			action:  "Portal öffnen",
		},
		News: {
			subject: "Neuigkeiten von {{.Org}}: {{.Title}}",
			lines:   []string{"Hallo {{.Name}},", "{{.Org}} hat Neuigkeiten veröffentlicht: {{.Title}}", "{{.Body}}"},
			action:  "Im Portal lesen",
			after:   []string{"Sie erhalten Neuigkeiten, weil sie in Ihrem Profil eingeschaltet sind; auf Ihrer Konto-Seite schalten Sie sie aus."},
		},
		Alert: {
			subject: "Warnung von {{.Org}}: {{.Title}}",
			lines:   []string{"Hallo {{.Name}},", "{{.Org}} hat eine Warnung gesendet: {{.Title}}", "{{.Body}}"},
			action:  "Im Portal lesen",
			after:   []string{"Sie erhalten Warnungen, weil sie in Ihrem Profil eingeschaltet sind; auf Ihrer Konto-Seite schalten Sie sie aus."},
		},
	},
}
