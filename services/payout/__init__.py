"""Payout: payment instructions to the agent bank, bank results, re-issue, return to treasury
and reconciliation (flow steps 7, 8 and 11). Publishes PaymentSucceeded, PaymentFailed and
ReturnedToTreasury.
"""
