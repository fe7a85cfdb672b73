import sys

from magnets.cli import main

sys.exit(main())
