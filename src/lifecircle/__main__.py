from lifecircle.cli import main

main()
