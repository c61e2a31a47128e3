"""The client of a target: the transport, one API client per identity, IMS tokens, the ledger of what a
run created, redaction and the profile.
"""
