from funnelspec.cli import main

main()
