"""Tools beside the dashboard, not part of it: the sample's generator (sample), the
synthetic N × sample data (generate) and the benchmark (bench). Their subcommands are
tuoyu/cli/tools.py's."""
