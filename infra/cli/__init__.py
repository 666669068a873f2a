"""The ``onecard`` command line (assembled in ``infra.cli.main``)."""
