from qinlin.cli import main

main()
