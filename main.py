"""Start the Ketamine Infusion Console (see README.md)."""

from console.app import main

if __name__ == "__main__":
    raise SystemExit(main())
