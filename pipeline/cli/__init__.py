"""The command line (``python -m pipeline``): commands, services, health, progress lines."""
