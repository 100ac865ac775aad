"""Registration: public landing pages and their form, the registration state machine
(Registered with sync pending, one attempt at a time, backoff, Registration Error), the
job that registers a person with the provider, and the workers' sweep that recovers
lost registrations and emails [S14] [S16] [S18] [S19]."""
