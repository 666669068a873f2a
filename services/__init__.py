"""The five services. Each keeps ``domain/``, ``application/``, ``adapters/`` and
``entrypoints/`` with one ``bootstrap.py``; services never import each other and talk only
through the integration events in ``contracts/``."""
