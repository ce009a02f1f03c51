from valuegraph.cli.main import main

# Guarded: the bulk path's spawned processes import this module again.
if __name__ == "__main__":
    main()
