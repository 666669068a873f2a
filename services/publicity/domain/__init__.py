"""Publicity's domain: the notice of a submitted roster as a decider (when it starts and ends
in Chinese working days, ``notice_period``), objections to it, and the working-day schedules
administrators enter. What may be shown and how it is masked is ``contracts.masking``."""
