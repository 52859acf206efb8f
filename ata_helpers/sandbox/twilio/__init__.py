"""The Twilio twin: a local HTTP server that answers the real twilio SDK as Twilio's REST API does.

`server` routes requests; `format` writes SIDs, dates and error bodies as Twilio does; each
resource lives in a module named as Twilio names it (`sip_domains`, `credential_lists`,
`ip_access_control_lists`, `incoming_phone_numbers`, `calls`, `trunks`, `alerts`, `insights` for
Voice Insights, `serverless` for Twilio Functions, whose handlers `function_runtime` interprets);
`bins` stands in for the Console's TwiML Bins and `seed_history` makes up a past for the call log.
"""
