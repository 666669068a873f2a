"""Approval (审核审批): the chain of sign-offs a roster goes through after its public notice,
configurable per programme, with maker-checker separation (flow step 6). Sends rosters back
to their makers with reasons; publishes BatchApproved when the last level signs off.
"""
