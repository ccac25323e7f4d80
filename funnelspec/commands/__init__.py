"""One module per ``funnelspec`` subcommand."""
