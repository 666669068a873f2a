"""Publicity: public notice of submitted rosters with objections, disclosure after payment, and
the beneficiary's own lookup (flow steps 5 and 10). Publishes PublicNoticeCompleted.
"""
