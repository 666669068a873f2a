"""``python -m infra.cli``: the ``onecard`` command, as ``up`` starts its children."""

from infra.cli.main import main

main()
