"""Registry: the programme catalogue, the beneficiary register with card accounts, roster
import and automatic validation (flow steps 1-4). Publishes RosterSubmitted.
"""
