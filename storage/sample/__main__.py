"""python -m storage.sample build OUT [COPY...] (storage/sample/cli.py)."""

import sys

from storage.sample.cli import main

sys.exit(main())
