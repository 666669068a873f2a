"""Approval: the configurable approval chain with maker-checker separation (flow step 6).
Publishes BatchApproved.
"""
