"""The agent-bank simulator (代发银行模拟器): a separate process that speaks the payout's bank
HTTP API as a bank would — it fetches pending batches, "pays" each instruction, and pushes
results, with configurable misbehaviour (failures of every agreed kind, delays, lost answers,
duplicates, reordering, returns after success, crashes). For the demo and the tests.

It lives in ``infra`` rather than beside the services because it is none: it imports no
service (it knows the API only — the signature scheme of ``infra.http.bank_signing``, the
credentials file of ``infra.http.bank_keys``), it runs from the ``onecard`` command line
(``onecard bank-simulator``), and it ships in the package with the rest of ``infra``.
"""
