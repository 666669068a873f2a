"""Notify: SMS to beneficiaries on payment and failure notices to the responsible office,
through a transactional outbox (flow step 9).
"""
