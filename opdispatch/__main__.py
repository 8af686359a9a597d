import sys

from opdispatch.cli import main

sys.exit(main())
