"""python -m storage.sample build OUT [COPY...] (storage/sample/cli.py)."""

import sys

from storage.sample.cli import main

if __name__ == "__main__":  # importing the module (tests/test_layering.py walks them all) runs nothing
    sys.exit(main())
