"""The ``quotes`` command: ``main`` (the app, its commands, the one error path), ``extract`` and
``setup`` (per-document and set-up commands), ``train``, ``store`` (the commands that fill the
store) and ``ask`` (those that read it); ``output`` prints and writes. It may import everything;
nothing imports it.
"""
