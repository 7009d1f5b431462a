"""Allow `python -m build_scripts ...` as an alias for the `campaign-site` command."""

from build_scripts.cli.commands import main

main()
