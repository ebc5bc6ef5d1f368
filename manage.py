#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vetclinic.settings.dev")
    # Every command but the development server is a batch job: it gets the command
    # statement timeout (settings: DB_COMMAND_STATEMENT_TIMEOUT_MS), not the web one.
    if sys.argv[1:2] != ["runserver"]:
        os.environ.setdefault("VETCLINIC_PROCESS", "command")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
