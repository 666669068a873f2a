"""Payout: payment instructions to the agent bank, bank results, re-issue (补发) and the
year-end return to the treasury (flow steps 7 and 8). Publishes PaymentBatchIssued,
PaymentInstructed, PaymentSucceeded, PaymentFailed, PaymentOutcomeUnknown,
PaymentFlaggedForReview and ReturnedToTreasury.
"""
