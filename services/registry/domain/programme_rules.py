"""From a programme's catalogue terms to the rules validation checks a roster against.

A roster is validated under the version of the programme it was drafted with, never under
a later revision."""

from __future__ import annotations

from services.registry.domain.programme_terms import ProgrammeTerms
from services.registry.domain.validation_programme import ProgrammeRules


def validation_rules(code: str, terms: ProgrammeTerms) -> ProgrammeRules:
    """The validation rules of one version of a programme. A programme paid as a fixed
    amount per person has that amount as both limits."""
    minimum, maximum = terms.min_amount_fen, terms.max_amount_fen
    if terms.fixed_amount_fen is not None:
        minimum = maximum = terms.fixed_amount_fen
    return ProgrammeRules(
        code=code,
        standard_name=terms.standard_name,
        aliases=frozenset(terms.aliases),
        unit_standard=terms.unit_standard,
        min_amount_fen=max(minimum, 1),
        max_amount_fen=maximum,
        list_policy={str(kind): action for kind, action in terms.list_policy.items()},
    )
